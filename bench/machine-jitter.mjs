// How steady this machine is: the same CPU work (a fixed loop of about 7 ms here) timed 600
// times, 5 ms apart, in one process. Its p99 and max against its p50 are the scheduling jitter
// every latency figure of BENCHMARKS.md carries — a query crossing three processes more so.
//
//   node bench/machine-jitter.mjs [--runs 600] [--iterations 2500000]
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '600' }, iterations: { type: 'string', default: '2500000' } } });
const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const [runs, iterations] = [Number(values.runs), Number(values.iterations)];
const times = [];
let sink = 0;
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  for (let k = 0; k < iterations; k++) sink += Math.sqrt(k);
  times.push(performance.now() - start);
  await new Promise((resolve) => setTimeout(resolve, 5));
}
if (sink < 0) console.log(sink); // keeps the loop from being optimised away
console.log(
  `fixed work over ${times.length} runs: p50 ${pct(times, 50).toFixed(1)} ms, p90 ${pct(times, 90).toFixed(1)}, p99 ${pct(times, 99).toFixed(1)}, max ${Math.max(...times).toFixed(1)} ms`,
);
