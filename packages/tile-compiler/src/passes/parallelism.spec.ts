import { describe, expect, it } from 'vitest';
import { fuseChains } from './fusion.js';
import { detectParallelism } from './parallelism.js';
import { build } from './test-plans.js';

describe(detectParallelism.name, () => {
  it('marks associative stages data-parallel, a custom reduce without combine sequential, and finds independent branches', () => {
    const plan = build((p) => {
      const src = p.columns(['v', 't'], { id: 'src' });
      src
        .filter('v > 0', 'pos')
        .reduce({ s: { op: 'sum', expr: 'v' }, m: { op: 'mean', expr: 'v' } }, 'sum')
        .sink('o1');
      src.reduce({ prod: { op: 'custom', init: '1', step: 'acc * v' } }, 'prod').sink('o2');
      src.reduce({ prod: { op: 'custom', init: '1', step: 'acc * v', combine: 'a * b' } }, 'prod2').sink('o3');
      src
        .sort([{ field: 't' }], 'sorted')
        .limit(5, 'top')
        .sink('o4');
    });
    const report = detectParallelism(fuseChains(plan).stages);
    const mode = Object.fromEntries(report.stages.map((s) => [s.output, `${s.mode}: ${s.combine}`]));
    expect(mode['sum']).toBe('data-parallel: combine accumulators (s:sum, m:sum+count)');
    expect(mode['prod']).toBe('sequential: custom aggregate prod has no combine');
    expect(mode['prod2']).toBe('data-parallel: combine accumulators (prod:custom combine)');
    expect(mode['sorted']).toBe('data-parallel: sort each partition, k-way merge (ties to earlier partition)');
    expect(report.independentWaves).toEqual([['sum', 'prod', 'prod2', 'sorted']]);
  });
});
