// Summarises a V8 .cpuprofile (node --cpu-prof): self time by package and by function, optionally
// only between two CLOCK_MONOTONIC instants in microseconds (what `process.hrtime.bigint() / 1000n`
// gives in any process on the machine, and what V8 stamps its samples with), so the window a bench
// prints can be cut out of a whole-run profile.
// Run: node bench/profile-summary.mjs FILE.cpuprofile [--from US --to US] [--top N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string', default: '25' } },
});
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const from = opt.from ? Number(opt.from) : -Infinity;
const to = opt.to ? Number(opt.to) : Infinity;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

const packageOf = (url) => {
  if (!url) return '(native)';
  const dep = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(@[^/]+\/[^/]+|[^/]+)/);
  if (dep) return dep[1];
  const own = url.match(/(apps|packages)\/[^/]+/);
  return own ? own[0] : url.startsWith('node:') ? 'node:' + url.slice(5).split('/')[0] : url.replace(/^.*\//, '');
};

const self = new Map();
let at = profile.startTime;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i] ?? 0;
  if (at < from || at > to) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  total += dt;
}
const byPackage = new Map();
const byFunction = new Map();
let idle = 0;
for (const [id, t] of self) {
  const f = byId.get(id).callFrame;
  if (f.functionName === '(idle)') {
    idle += t;
    continue;
  }
  const pkg = packageOf(f.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
  const key = `${f.functionName || '(anonymous)'}  ${pkg}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + t);
}
// Each sample charged to the nearest frame of our own code above it (apps/, packages/): which of
// our functions the library and runtime time is spent for.
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const isOwn = (url) => /\/(apps|packages)\/[^/]+\/dist\//.test(url) && !url.includes('node_modules');
const byOwnCaller = new Map();
for (const [id, t] of self) {
  let n = byId.get(id);
  if (n.callFrame.functionName === '(idle)') continue;
  while (n && !isOwn(n.callFrame.url)) n = byId.get(parentOf.get(n.id));
  const key = n
    ? `${n.callFrame.functionName || '(anonymous)'}  ${packageOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
    : '(no own frame: runtime, GC, library callbacks)';
  byOwnCaller.set(key, (byOwnCaller.get(key) ?? 0) + t);
}
const busy = total - idle;
const top = Number(opt.top);
console.log(`window ${(total / 1000).toFixed(0)} ms, busy ${(busy / 1000).toFixed(0)} ms (${((busy / total) * 100).toFixed(0)} %)`);
console.log('\nself time by package (share of busy time)');
for (const [k, t] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((t / busy) * 100).toFixed(1).padStart(5)} %  ${k}`);
console.log('\nself time by function');
for (const [k, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((t / busy) * 100).toFixed(1).padStart(5)} %  ${k}`);
console.log('\nall time below our own code, by its nearest own frame');
for (const [k, t] of [...byOwnCaller].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((t / busy) * 100).toFixed(1).padStart(5)} %  ${k}`);
