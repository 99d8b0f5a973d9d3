// Tile compiler benchmark. Build first, then run from the repo root:
//   pnpm --filter @fleetplane/tile-compiler build && node bench/tile-compiler/run.mjs
// Optional: N=1000000 to shrink the data set. Bounded: a few repetitions per case.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { ProgramBuilder, compile, interpret } from '../../packages/tile-compiler/dist/index.js';

const N = Number(process.env.N ?? 10_000_000);
const REPS = 5;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(reps, fn) {
  const times = [];
  let result;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), result };
}

// map -> filter -> map -> reduce over a Float64Array column.
const p = new ProgramBuilder();
p.columns(['x'], { id: 'nums' })
  .map({ y: 'x * 1.5' }, 'scale')
  .filter('y > 300', 'big')
  .map({ z: 'y - 300' }, 'shift')
  .reduce({ total: { op: 'sum', expr: 'z' } }, 'sum')
  .sink('out');
const program = p.build();

const x = new Float64Array(N);
for (let i = 0; i < N; i++) x[i] = (i * 7919) % 1000;
const inputs = { nums: { x } };

function handWritten(col) {
  let total = 0;
  for (let i = 0; i < col.length; i++) {
    const y = col[i] * 1.5;
    if (y > 300) total += y - 300;
  }
  return total;
}

const fused = compile(program, { sourceRows: { nums: N } });
const unfused = compile(program, { fuse: false, sourceRows: { nums: N } });

const rows = [];
const hand = time(REPS, () => handWritten(x));
const fast = time(REPS, () => fused.run(inputs).out[0].total);
const parted = time(REPS, () => fused.run(inputs, { partitions: 4 }).out[0].total);
const slow = time(REPS, () => unfused.run(inputs).out[0].total);
// Naive interpretation allocates a row object per element per tile; two repetitions keep the run bounded.
const naive = time(2, () => interpret(fused.original, inputs).outputs.out[0].total);

const check = [hand.result, fast.result, slow.result, naive.result];
if (!check.every((v) => v === hand.result)) throw new Error(`results differ: ${check.join(' ')}`);
if (Math.abs(parted.result - hand.result) > 1e-9 * Math.abs(hand.result)) throw new Error(`partitioned result differs: ${parted.result}`);

rows.push(['(a) naive interpretation (tree-walked, array per tile)', naive.ms]);
rows.push(["(a') compiled, not fused (array per tile)", slow.ms]);
rows.push(['(b) compiled and fused', fast.ms]);
rows.push(['(b) fused, 4 in-process partitions', parted.ms]);
rows.push(['(c) hand-written loop', hand.ms]);

console.log(`Tile compiler benchmark: N=${N.toLocaleString('en')} numbers, map->filter->map->reduce, median of ${REPS} (naive: 2)`);
console.log(`Machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`);
console.log('');
console.log('| case | ms | Mnum/s |');
console.log('| --- | ---: | ---: |');
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} | ${(N / ms / 1000).toFixed(1)} |`);
console.log('');
console.log(`fused vs naive: ${(naive.ms / fast.ms).toFixed(1)}x faster (goal >= 5x)`);
console.log(`fused vs compiled-unfused: ${(slow.ms / fast.ms).toFixed(1)}x faster`);
console.log(`fused speed relative to hand-written: ${(hand.ms / fast.ms).toFixed(2)}x (goal >= 0.8x)`);
console.log(
  `cost model: estimated ${fused.cost.estimatedMs.toFixed(1)} ms for the fused plan, measured ${fast.ms.toFixed(1)} ms (ratio ${(fast.ms / fused.cost.estimatedMs).toFixed(2)})`,
);

// Compile time of 1,000-tile programs: one long fused chain, and 100 independent branches.
function chainProgram(tiles) {
  const b = new ProgramBuilder();
  let t = b.columns(['x', 'y'], { id: 'src' });
  for (let i = 0; i < tiles - 3; i++) t = i % 2 === 0 ? t.map({ x: 'x + 1', y: 'y * 2' }) : t.filter(`x > ${i}`);
  t.reduce({ s: { op: 'sum', expr: 'x' } }).sink();
  return b.build();
}
function branchProgram(branches, perBranch) {
  const b = new ProgramBuilder();
  const src = b.records({ site: 'string', cpu: 'number', t: 'number' }, { id: 'metrics' });
  for (let i = 0; i < branches; i++) {
    let t = src.filter(`cpu > ${i}`);
    for (let j = 0; j < perBranch - 3; j++) t = t.map({ site: 'site', cpu: `cpu + ${j}`, t: 't' });
    t.groupBy(['site'], { n: { op: 'count' }, avg: { op: 'mean', expr: 'cpu' } }).sink();
  }
  return b.build();
}
const chain1000 = chainProgram(1000);
const branches1000 = branchProgram(100, 10);
// The first compile of each shape runs on cold (unoptimised) compiler code; a service compiles many
// programs, so the warm median is the steady state. Both are reported.
const coldChain = time(1, () => compile(chain1000));
const coldBranches = time(1, () => compile(branches1000));
const compileChain = time(REPS, () => compile(chain1000));
const compileBranches = time(REPS, () => compile(branches1000));
console.log('');
console.log('| compile (validate, type-check, passes, codegen) | tiles | first (cold) ms | warm median ms |');
console.log('| --- | ---: | ---: | ---: |');
console.log(`| one chain fused into a single loop | ${chain1000.tiles.length} | ${coldChain.ms.toFixed(1)} | ${compileChain.ms.toFixed(1)} |`);
console.log(
  `| 100 independent branches of filter/map/groupBy | ${branches1000.tiles.length} | ${coldBranches.ms.toFixed(1)} | ${compileBranches.ms.toFixed(1)} |`,
);
console.log(`goal: < 50 ms`);
