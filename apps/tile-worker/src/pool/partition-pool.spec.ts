import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, ProgramBuilder, type Inputs, type Program } from '@fleetplane/tile-compiler';
import { programHash } from '../programs/canonical-hash.js';
import { PartitionFailedError, PartitionPool, type PartitionPoolOptions } from './partition-pool.js';
import { runOnPool } from './run-on-pool.js';

// Real worker threads running the built worker script (build before testing, like every service test).
const WORKER = fileURLToPath(new URL('../../dist/pool/partition-worker.js', import.meta.url));
const pools: PartitionPool[] = [];
const pool = (o: Partial<PartitionPoolOptions> = {}) => {
  const p = new PartitionPool({
    filename: WORKER,
    maxWorkers: 2,
    idleTimeoutMs: 60_000,
    maxQueue: 1000,
    maxOldGenerationMb: 256,
    partitionTimeoutMs: 60_000,
    retries: 2,
    ...o,
  });
  pools.push(p);
  return p;
};
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
}, 30_000);

/** Per-site count, sum and max of integer cpu over rows with a filter: every combine path but sort. */
function groupProgram(): Program {
  const p = new ProgramBuilder();
  p.records({ site: 'string', cpu: 'number', t: 'number' }, { id: 'metrics' })
    .filter('cpu >= 10', 'busy')
    .groupBy(['site'], { n: { op: 'count' }, total: { op: 'sum', expr: 'cpu' }, peak: { op: 'max', expr: 'cpu' } }, 'bySite')
    .sort([{ field: 'total', order: 'desc' }], 'ranked')
    .sink('out');
  return p.build();
}

/** Columns: a fused map → filter → reduce, and a tumbling window. */
function columnsProgram(): Program {
  const p = new ProgramBuilder();
  const src = p.columns(['x', 't'], { id: 'cols' });
  src
    .map({ y: 'x * 3', t: 't' }, 'scaled')
    .filter('y % 2 == 0', 'even')
    .reduce({ s: { op: 'sum', expr: 'y' }, c: { op: 'count' }, lo: { op: 'min', expr: 'y' } }, 'totals')
    .sink('sum');
  src.window({ timeField: 't', size: 100, aggregates: { n: { op: 'count' }, m: { op: 'max', expr: 'x' } } }, 'win').sink('windows');
  return p.build();
}

const run = async (program: Program, inputs: Inputs, p: PartitionPool) => {
  const json = JSON.stringify(program);
  return runOnPool(compile(program), { hash: programHash(program), json }, inputs, p, { signal: new AbortController().signal, minPoolRows: 0 });
};

const rowsArb = fc.array(
  fc.record({ site: fc.constantFrom('eu', 'us', 'ap', 'af'), cpu: fc.integer({ min: 0, max: 100 }), t: fc.integer({ min: 0, max: 10_000 }) }),
  {
    maxLength: 400,
  },
);
const columnsArb = fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 5000 })), { maxLength: 400 }).map((pairs) => ({
  x: Float64Array.from(pairs.map((p) => p[0])),
  t: Float64Array.from(pairs.map((p) => p[1])),
}));

describe('PartitionPool (real worker threads)', () => {
  const one = pool({ maxWorkers: 1 });
  const three = pool({ maxWorkers: 3 });

  it('gives the same results on 1 and on 3 workers as the in-process run (property)', async () => {
    const group = groupProgram();
    const columns = columnsProgram();
    await fc.assert(
      fc.asyncProperty(rowsArb, columnsArb, async (rows, cols) => {
        for (const [program, inputs] of [
          [group, { metrics: rows }],
          [columns, { cols }],
        ] as const) {
          const expected = compile(program).run(inputs);
          const [a, b] = await Promise.all([run(program, inputs, one), run(program, inputs, three)]);
          expect(a.outputs).toEqual(expected);
          expect(b.outputs).toEqual(expected);
        }
      }),
      { numRuns: 25 },
    );
  }, 30_000);

  it('spreads a stage over the workers: one partition per worker', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ site: ['eu', 'us'][i % 2] as string, cpu: i % 50, t: i }));
    const r = await run(groupProgram(), { metrics: rows }, three);
    expect(r.partitions).toBe(3);
    expect(r.threads).toBeGreaterThanOrEqual(1);
    expect(r.retries).toBe(0);
  });

  it('survives a worker thread killed mid-partition: the partition runs again and the result is the same', async () => {
    const p = pool({ maxWorkers: 2, retries: 2 });
    // A sliding window puts each row in 20 windows: partitions long enough (~0.1 s) that the kill lands mid-run.
    const n = 300_000;
    const cols = { x: Float64Array.from({ length: n }, (_, i) => i % 997), t: Float64Array.from({ length: n }, (_, i) => i) };
    const b = new ProgramBuilder();
    b.columns(['x', 't'], { id: 'cols' })
      .window({ timeField: 't', size: 2000, slide: 100, aggregates: { n: { op: 'count' }, m: { op: 'max', expr: 'x' } } }, 'win')
      .sink('windows');
    const program = b.build();
    const expected = compile(program).run({ cols });
    let killed = false;
    const off = p.onPartitionStarted((m) => {
      if (killed) return;
      killed = true;
      void p.threads.find((t) => t.threadId === m.threadId)?.terminate();
    });
    const r = await run(program, { cols }, p);
    off();
    expect(killed).toBe(true);
    expect(r.retries).toBeGreaterThanOrEqual(1);
    expect(r.outputs).toEqual(expected);
    expect(p.stats().retries).toBe(r.retries);
  }, 30_000);

  it('fails a partition that keeps running out of memory, naming it, after the retries', async () => {
    // A collecting chain builds one row object per input row: far past a 16 MiB heap.
    const b = new ProgramBuilder();
    b.columns(['x'], { id: 'cols' }).map({ y: 'x + 1', z: 'x * 2', w: 'x - 1' }, 'wide').sink('rows');
    const n = 4_000_000;
    const cols = { x: new Float64Array(new SharedArrayBuffer(n * 8)) };
    const p = pool({ maxWorkers: 2, retries: 1, maxOldGenerationMb: 16 });
    const err = await run(b.build(), { cols }, p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartitionFailedError);
    expect((err as Error).message).toMatch(/^partition [12] of 2 of stage #2 \(wide\) failed after 2 attempt\(s\)/);
  }, 30_000);

  it('kills and retries a partition past its timeout, then fails naming it', async () => {
    const p = pool({ maxWorkers: 1, retries: 1, partitionTimeoutMs: 1 });
    const rows = Array.from({ length: 5000 }, (_, i) => ({ site: 'eu', cpu: i % 90, t: i }));
    const err = await run(groupProgram(), { metrics: rows }, p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartitionFailedError);
    expect((err as Error).message).toMatch(/failed after 2 attempt\(s\): timed out after 1 ms$/);
  });

  it('stops at once when the job is aborted (cancel, job timeout) with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    controller.abort(reason);
    const program = groupProgram();
    const rows = Array.from({ length: 100 }, (_, i) => ({ site: 'eu', cpu: i, t: i }));
    const err = await runOnPool(compile(program), { hash: programHash(program), json: JSON.stringify(program) }, { metrics: rows }, three, {
      signal: controller.signal,
      minPoolRows: 0,
    }).catch((e: unknown) => e);
    expect(err).toBe(reason);
  });
});
