import { describe, expect, it } from 'vitest';
import { describePlan } from '../program/plan.js';
import { mergeIdenticalSubplans } from './merge-identical.js';
import { build } from './test-plans.js';

describe(mergeIdenticalSubplans.name, () => {
  it('collapses identical sub-plans tile by tile, even when spelled differently', () => {
    const plan = build((p) => {
      const src = p.columns(['v'], { id: 'src' });
      src.map({ w: 'v*2' }, 'a1').filter('w > 3', 'a2').sink('out1');
      src
        .map({ w: 'v * 2' }, 'b1')
        .filter('w>3', 'b2')
        .reduce({ n: { op: 'count' } }, 'b3')
        .sink('out2');
    });
    const after = mergeIdenticalSubplans(plan);
    expect(describePlan(after)).toBe(
      [
        'src=columns() -> {v:n}',
        'a1=map(src) [w=v*2] -> {w:n}',
        'a2=filter(a1) [w > 3] -> {w:n}',
        'out1=sink(a2) -> {w:n}',
        'b3=reduce(a2) [n=count] -> {n:n}',
        'out2=sink(b3) -> {n:n}',
      ].join('\n'),
    );
    expect(after.applied[0]?.summary).toBe('merged b1→a1, b2→a2');
  });

  it('keeps run-time-bound sources apart: they are bound to different data', () => {
    const plan = build((p) => {
      p.columns(['v'], { id: 's1' }).sink('o1');
      p.columns(['v'], { id: 's2' }).sink('o2');
    });
    expect(mergeIdenticalSubplans(plan).nodes).toHaveLength(4);
  });
});
