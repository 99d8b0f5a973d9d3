// One compile measurement in this (fresh) process, printed as JSON; run by run.mjs, once per process,
// so "cold" really is the first compile the process makes. Mode: cold | warmed (after warmUpCompiler).
import { performance } from 'node:perf_hooks';
import { ProgramBuilder, compile, warmUpCompiler } from '../../packages/tile-compiler/dist/index.js';

const mode = process.argv[2] ?? 'cold';
// The compiler benchmark's shape: one chain of map/filter tiles fused into a single loop.
const chain = new ProgramBuilder();
let t = chain.columns(['x', 'y'], { id: 'src' });
for (let i = 0; i < 997; i++) t = i % 2 === 0 ? t.map({ x: 'x + 1', y: 'y * 2' }) : t.filter(`x > ${i}`);
t.reduce({ s: { op: 'sum', expr: 'x' } }).sink();
const program = JSON.parse(JSON.stringify(chain.build()));

let warmUpMs = 0;
if (mode === 'warmed') {
  const w = performance.now();
  warmUpCompiler();
  warmUpMs = performance.now() - w;
}
const cpu0 = process.threadCpuUsage();
const t0 = performance.now();
compile(program);
const ms = performance.now() - t0;
const cpu = process.threadCpuUsage(cpu0);
const warm = [];
for (let i = 0; i < 5; i++) {
  const a = performance.now();
  compile(program);
  warm.push(performance.now() - a);
}
warm.sort((a, b) => a - b);
console.log(JSON.stringify({ tiles: program.tiles.length, ms, cpuMs: (cpu.user + cpu.system) / 1000, warmUpMs, warmMs: warm[2] }));
