import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import type { Aggregate, Program, Row, Tile } from './program/types.js';
import { interpret } from './reference/interpret.js';

/**
 * Random programs over random data: the optimised plan, the unfused plan and
 * the partitioned plan must all compute exactly what the naive tile-by-tile
 * interpreter computes on the unoptimised plan. Expressions stay in integer
 * arithmetic with small magnitudes so every sum is exact and partition order
 * cannot change a float rounding.
 */
const numExpr: fc.Arbitrary<string> = fc
  .letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('a', 'b', 'row.a', '1', '2', '-3', '0'),
      fc.tuple(tie('e'), fc.constantFrom('+', '-'), tie('e')).map(([l, o, r]) => `(${l} ${o} ${r})`),
      tie('e').map((x) => `(${x} * 2)`),
      tie('e').map((x) => `(${x} % 7)`),
      tie('e').map((x) => `abs(${x})`),
      fc.tuple(tie('e'), tie('e')).map(([l, r]) => `min(${l}, ${r})`),
      fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, l, r]) => `(${c} > 0 ? ${l} : ${r})`),
    ),
  }))
  .e.filter((s) => s.length < 200);

const boolExpr = fc.tuple(numExpr, fc.constantFrom('<', '<=', '>', '>=', '==', '!='), fc.integer({ min: -20, max: 20 })).map(([e, op, n]) => `${e} ${op} ${n}`);

const stream = (input: string, id: string): fc.Arbitrary<Tile> =>
  fc.oneof(
    fc.tuple(numExpr, numExpr).map(([a, b]): Tile => ({ id, kind: 'map', input, fields: { a, b, k: 'k' } })),
    boolExpr.map((predicate): Tile => ({ id, kind: 'filter', input, predicate })),
    fc.array(fc.tuple(fc.option(boolExpr, { nil: undefined }), numExpr), { minLength: 1, maxLength: 3 }).map((entries): Tile => ({
      id,
      kind: 'flatMap',
      input,
      emit: entries.map(([when, a]) => ({ ...(when === undefined ? {} : { when }), fields: { a, b: 'b', k: 'k' } })),
    })),
  );

const aggregates: fc.Arbitrary<Record<string, Aggregate>> = fc
  .subarray(
    [
      ['n', { op: 'count' }],
      ['total', { op: 'sum', expr: 'a' }],
      ['lo', { op: 'min', expr: 'b' }],
      ['hi', { op: 'max', expr: 'a - b' }],
      ['avg', { op: 'mean', expr: 'a' }],
      ['custom', { op: 'custom', init: '0', step: 'acc + abs(a)', combine: 'a + b' }],
    ] as [string, Aggregate][],
    { minLength: 1 },
  )
  .map((entries) => Object.fromEntries(entries));

const terminal = (input: string): fc.Arbitrary<Tile[]> =>
  fc.oneof(
    fc.constant<Tile[]>([]),
    aggregates.map((a): Tile[] => [{ id: 'agg', kind: 'reduce', input, aggregates: a }]),
    aggregates.map((a): Tile[] => [{ id: 'agg', kind: 'groupBy', input, keys: ['k'], aggregates: a }]),
    fc
      .tuple(aggregates, fc.constantFrom(4, 6), fc.constantFrom(2, 3, 6))
      .map(([a, size, slide]): Tile[] => [
        { id: 'agg', kind: 'window', input, timeField: 'b', size, slide: Math.min(size, slide), keys: ['k'], aggregates: a },
      ]),
    fc.tuple(fc.constantFrom<'asc' | 'desc'>('asc', 'desc'), fc.integer({ min: 0, max: 30 })).map(([order, count]): Tile[] => [
      { id: 'agg', kind: 'sort', input, by: [{ field: 'a', order }, { field: 'k' }] },
      { id: 'lim', kind: 'limit', input: 'agg', count },
    ]),
  );

const program: fc.Arbitrary<Program> = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.boolean()).chain(([length, branch, columnar]) => {
  const source: Tile = columnar
    ? { id: 'src', kind: 'columns', fields: ['a', 'b', 'k'] }
    : { id: 'src', kind: 'records', schema: { a: 'number', b: 'number', k: 'number', label: 'string' } };
  const ids = Array.from({ length }, (_, i) => `t${i}`);
  return fc.tuple(fc.tuple(...ids.map((id, i) => stream(i === 0 ? 'src' : (ids[i - 1] as string), id))), stream('src', 'side')).chain(([chain, side]) => {
    const last = ids.at(-1) as string;
    const main: string = branch ? 'merged' : last;
    // Both branches end in the same projection so their schemas agree whatever the random tiles were.
    const norm = { a: 'a', b: 'b', k: 'k' };
    const merged: Tile[] = branch
      ? [
          side,
          { id: 'sideNorm', kind: 'map', input: 'side', fields: norm },
          { id: 'norm', kind: 'map', input: last, fields: norm },
          { id: 'merged', kind: 'merge', inputs: ['norm', 'sideNorm'] },
        ]
      : [];
    return terminal(main).map((end): Program => {
      const out = end.at(-1)?.id ?? main;
      return {
        version: 1,
        tiles: [source, ...chain, ...merged, ...end, { id: 'out', kind: 'sink', input: out }, { id: 'dead', kind: 'filter', input: 'src', predicate: 'a > 0' }],
      };
    });
  });
});

const data = fc.array(fc.record({ a: fc.integer({ min: -50, max: 50 }), b: fc.integer({ min: -20, max: 40 }), k: fc.integer({ min: 0, max: 3 }) }), {
  maxLength: 60,
});

function bind(p: Program, rows: { a: number; b: number; k: number }[]) {
  if (p.tiles[0]?.kind === 'columns') {
    return { src: { a: Float64Array.from(rows, (r) => r.a), b: Float64Array.from(rows, (r) => r.b), k: rows.map((r) => r.k) } };
  }
  return { src: rows.map((r): Row => ({ ...r, label: `L${r.k}` })) };
}

describe('optimised, unfused and partitioned plans', () => {
  it('compute exactly what naive interpretation computes (property)', () => {
    fc.assert(
      fc.property(program, data, fc.integer({ min: 2, max: 5 }), (p, rows, partitions) => {
        const inputs = bind(p, rows);
        const optimised = compile(p);
        const expected = interpret(optimised.original, inputs).outputs;
        expect(optimised.run(inputs)).toEqual(expected);
        expect(optimised.run(inputs, { partitions })).toEqual(expected);
        expect(compile(p, { fuse: false, optimise: false }).run(inputs, { partitions })).toEqual(expected);
        // The optimised plan, interpreted naively, also agrees: passes preserve meaning on their own.
        expect(interpret(optimised.plan, inputs).outputs).toEqual(expected);
      }),
      { numRuns: 300, seed: 7 },
    );
    // 300 programs compiled four ways: ~3 s alone, past vitest's 5 s default on a loaded machine.
  }, 30_000);
});
