import { describe, expect, it } from 'vitest';
import { compileChain } from '../codegen/chain.js';
import { fuseChains } from './fusion.js';
import { stageTiles, type ChainStage } from './stages.js';
import { build } from './test-plans.js';

const bench = build((p) =>
  p
    .columns(['x'], { id: 'nums' })
    .map({ y: 'x * 1.5' }, 'scale')
    .filter('y > 300', 'big')
    .map({ z: 'y - 300' }, 'shift')
    .reduce({ total: { op: 'sum', expr: 'z' } }, 'sum')
    .sink('out'),
);

describe(fuseChains.name, () => {
  it('fuses map→filter→map→reduce into one loop with no intermediate arrays', () => {
    const before = fuseChains(bench, { fuse: false });
    expect(before.stages.map((s) => `${s.kind}:${stageTiles(s).join('→')}`)).toEqual([
      'op:nums',
      'chain:scale',
      'chain:big',
      'chain:shift',
      'chain:sum',
      'op:out',
    ]);
    const after = fuseChains(bench);
    expect(after.stages.map((s) => `${s.kind}:${stageTiles(s).join('→')}`)).toEqual(['op:nums', 'chain:scale→big→shift→sum', 'op:out']);
    expect(after.summary).toBe('fused scale→big→shift→sum');

    const loop = compileChain(after.stages[1] as ChainStage, ['x'], true).source;
    expect(loop).toBe(
      [
        'const c1 = src["x"];',
        'let s0 = 0;',
        'for (let i = start; i < end; i++) {',
        'const v0 = c1[i];',
        'const v1 = (v0 * 1.5);',
        'if ((v1 > 300)) {',
        'const v2 = (v1 - 300);',
        's0 += v2;',
        '}',
        '}',
        'return [s0];',
      ].join('\n'),
    );
    expect(loop).not.toContain('push');
  });

  it('does not fuse across a tile with two consumers', () => {
    const plan = build((p) => {
      const shared = p.columns(['x'], { id: 'src' }).map({ y: 'x + 1' }, 'shared');
      shared.filter('y > 1', 'left').sink('l');
      shared.filter('y < 1', 'right').sink('r');
    });
    expect(
      fuseChains(plan)
        .stages.filter((s) => s.kind === 'chain')
        .map((s) => stageTiles(s).join('→')),
    ).toEqual(['shared', 'left', 'right']);
  });
});
