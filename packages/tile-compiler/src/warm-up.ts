import { compile } from './compile.js';

/** Tiles in the warm-up program's long chain: enough for V8 to optimise the per-tile code of every pass. */
const CHAIN = 120;
const ROUNDS = 4;

/**
 * A program touching every tile kind and expression form — records and columns sources, a long
 * map/filter chain, flatMap, reduce with a custom aggregate, groupBy, window, sort, limit,
 * merge, sinks; literals, fields, row.<field>, arithmetic, comparisons, logic, ternaries, calls.
 */
function warmUpProgram(): unknown {
  const tiles: Record<string, unknown>[] = [
    { id: 'rows', kind: 'records', schema: { site: 'string', cpu: 'number', up: 'boolean' } },
    { id: 'cols', kind: 'columns', fields: ['x', 'y'] },
  ];
  let prev = 'cols';
  for (let i = 0; i < CHAIN; i++) {
    const id = `c${i}`;
    tiles.push(
      i % 2 === 0
        ? { id, kind: 'map', input: prev, fields: { x: `x + ${i}`, y: `abs(y) * 2 - row.x / (1 + ${i})` } }
        : { id, kind: 'filter', input: prev, predicate: `x > ${i} && (y < 1e9 || !(x == ${i}))` },
    );
    prev = id;
  }
  tiles.push(
    { id: 'fm', kind: 'flatMap', input: prev, emit: [{ fields: { v: 'x' } }, { when: 'y > 0', fields: { v: 'y % 7' } }] },
    {
      id: 'red',
      kind: 'reduce',
      input: 'fm',
      aggregates: { n: { op: 'count' }, s: { op: 'sum', expr: 'v' }, c: { op: 'custom', init: '0', step: 'max(acc, v)', combine: 'max(a, b)' } },
    },
    { id: 'win', kind: 'window', input: prev, timeField: 'x', size: 10, slide: 5, aggregates: { m: { op: 'mean', expr: 'y' } } },
    { id: 'shaped', kind: 'map', input: 'rows', fields: { site: 'site + "-" + (up ? "up" : "down")', load: 'round(cpu * 10) / 10' } },
    { id: 'bySite', kind: 'groupBy', input: 'shaped', keys: ['site'], aggregates: { hi: { op: 'max', expr: 'load' }, lo: { op: 'min', expr: 'load' } } },
    { id: 'ranked', kind: 'sort', input: 'bySite', by: [{ field: 'hi', order: 'desc' }, { field: 'site' }] },
    { id: 'top', kind: 'limit', input: 'ranked', count: 3 },
    { id: 'both', kind: 'merge', inputs: ['top', 'top'] },
    { id: 'o1', kind: 'sink', input: 'red' },
    { id: 'o2', kind: 'sink', input: 'win' },
    { id: 'o3', kind: 'sink', input: 'both' },
  );
  return { version: 1, tiles };
}

/**
 * Compiles a built-in program a few times so that the compiler's own code is optimised before a
 * process compiles its first real program. A process's first compile runs the compiler in V8's
 * interpreter and pays for its optimisation along the way (a 1,000-tile program: ~70 ms cold
 * against ~20 ms warm, BENCHMARKS.md); a service that compiles on request calls this once at
 * start (tens of ms, off the request path).
 */
export function warmUpCompiler(): void {
  const program = warmUpProgram();
  for (let i = 0; i < ROUNDS; i++) compile(program).run({ rows: [{ site: 'a', cpu: 1, up: true }], cols: { x: [1, 2, 3], y: [4, 5, 6] } });
}
