import { describe, expect, it } from 'vitest';
import { describePlan } from '../program/plan.js';
import { eliminateDeadTiles } from './dead-tiles.js';
import { build } from './test-plans.js';

describe(eliminateDeadTiles.name, () => {
  it('removes tiles that reach no sink', () => {
    const plan = build((p) => {
      const src = p.columns(['v'], { id: 'src' });
      src.filter('v > 1', 'kept').sink('out');
      src.map({ w: 'v * 2' }, 'orphan').filter('w > 0', 'orphan2');
    });
    expect(describePlan(plan)).toBe(
      [
        'src=columns() -> {v:n}',
        'kept=filter(src) [v > 1] -> {v:n}',
        'orphan=map(src) [w=v * 2] -> {w:n}',
        'out=sink(kept) -> {v:n}',
        'orphan2=filter(orphan) [w > 0] -> {w:n}',
      ].join('\n'),
    );
    const after = eliminateDeadTiles(plan);
    expect(describePlan(after)).toBe(['src=columns() -> {v:n}', 'kept=filter(src) [v > 1] -> {v:n}', 'out=sink(kept) -> {v:n}'].join('\n'));
    expect(after.applied).toEqual([{ pass: 'dead-tiles', summary: 'removed 2 tile(s) reaching no sink: orphan, orphan2' }]);
  });
});
