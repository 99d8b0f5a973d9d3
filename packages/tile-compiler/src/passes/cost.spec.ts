import { describe, expect, it } from 'vitest';
import { compile } from '../compile.js';
import { ProgramBuilder } from '../program/builder.js';
import { interpret } from '../reference/interpret.js';
import { COST_MODEL_FACTOR, costOf } from './cost.js';

/**
 * The cost model's estimates, from assumed selectivities, against the same
 * formulas over row counts measured by running the program. Deterministic:
 * op and byte counts, never wall time.
 */
function program(threshold: number) {
  const p = new ProgramBuilder();
  const src = p.records({ site: 'string', cpu: 'number', t: 'number' }, { id: 'metrics' });
  src
    .filter(`cpu >= ${threshold}`, 'hot')
    .map({ site: 'site', load: 'cpu / 100' }, 'load')
    .groupBy(['site'], { avg: { op: 'mean', expr: 'load' } }, 'bySite')
    .sink('sites');
  src
    .map({ cpu: 'cpu', t: 't' }, 'slim')
    .sort([{ field: 'cpu', order: 'desc' }], 'sorted')
    .limit(10, 'top10')
    .sink('top');
  return p.build();
}

const N = 4000;
const rows = Array.from({ length: N }, (_, i) => ({ site: `s${i % 60}`, cpu: (i * 37) % 100, t: i }));

describe(costOf.name, () => {
  it.each([0, 25, 50, 75])(`estimates ops and bytes within ${COST_MODEL_FACTOR}x of measured counts (filter keeps cpu >= %i)`, (threshold) => {
    const compiled = compile(program(threshold), { sourceRows: { metrics: N } });
    const { stats } = interpret(compiled.plan, { metrics: rows });
    const measured = costOf(compiled.plan, compiled.stages, (id) => stats.get(id)?.rowsOut ?? 0);
    const ratio = (a: number, b: number) => Math.max(a / b, b / a);
    expect(ratio(compiled.cost.ops, measured.ops)).toBeLessThanOrEqual(COST_MODEL_FACTOR);
    expect(ratio(compiled.cost.bytes, measured.bytes)).toBeLessThanOrEqual(COST_MODEL_FACTOR);
  });

  it('is outside the factor when the filter is far more selective than assumed (stated limit)', () => {
    const compiled = compile(program(99), { sourceRows: { metrics: N } });
    const { stats } = interpret(compiled.plan, { metrics: rows });
    const measured = costOf(compiled.plan, compiled.stages, (id) => stats.get(id)?.rowsOut ?? 0);
    expect(stats.get('hot')?.rowsOut).toBe(N / 100);
    expect(compiled.cost.perTile.get('load')?.rowsIn).toBe(N / 2);
    expect(measured.perTile.get('load')?.rowsIn).toBe(N / 100);
  });
});
