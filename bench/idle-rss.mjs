// Idle resident memory of the six services, for one or more source trees side by side
// (e.g. a worktree of the commit before a change, and this one):
//
//   node bench/idle-rss.mjs --tree /tmp/fp-before --tree .  [--rounds 3] [--idle-ms 5000]
//                           [--node-options=--max-semi-space-size=4]   (NODE_OPTIONS of every service)
//
// Each tree must be built (`pnpm turbo run build` in it). For each tree and round: fresh
// nats-server, redis-server and PostgreSQL on loopback (this tree's @fleetplane/test-harness),
// then *that tree's* devstack startFleet (databases, migrations, each service as
// `node ${SERVICE_NODE_ARGS}` (test-harness; as the image runs it) in that tree's apps/<service>,
// waited on until /ready), `--idle-ms` of idleness, VmRSS from /proc/<pid>/status, stop.
// Trees alternate within a round, so slow drift of the machine hits both alike. No agent, no
// command, LOG_LEVEL=warn, no OTLP export: the same idle state as bench/command-path.mjs.
// With several rounds the table shows the median (min-max).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startInfra } from '../packages/test-harness/dist/index.js';

const SERVICES = ['gateway', 'agent-hub', 'command', 'telemetry', 'backup', 'tile-worker'];

const { values } = parseArgs({
  options: {
    tree: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '1' },
    'idle-ms': { type: 'string', default: '5000' },
    'node-options': { type: 'string' },
  },
});
const trees = (values.tree?.length ? values.tree : ['.']).map((t) => resolve(t));
const rounds = Number(values.rounds);
const idleMs = Number(values['idle-ms']);
const nodeOptions = values['node-options'];

const rssMiB = (pid) => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
};

async function loadLauncher(tree) {
  const entry = resolve(tree, 'packages/devstack/dist/index.js');
  if (!existsSync(entry)) throw new Error(`${tree} is not built: no ${entry} (run pnpm turbo run build there)`);
  // devstack finds the apps relative to its own file, so this starts that tree's services.
  const devstack = await import(pathToFileURL(entry).href);
  if (devstack.REPO_ROOT !== tree) throw new Error(`${entry} launches ${devstack.REPO_ROOT}, not ${tree}`);
  return devstack.startFleet;
}

async function measure(tree, startFleet) {
  const infra = await startInfra();
  try {
    const fleet = await startFleet({
      infra,
      admin: { email: 'bench@fleetplane.local', password: 'bench-password-not-secret' },
      jwtSecret: 'bench-secret-that-is-long-enough-0123456789',
      env: { LOG_LEVEL: 'warn', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
    });
    try {
      await sleep(idleMs);
      return Object.fromEntries(SERVICES.map((s) => [s, rssMiB(fleet.processes.get(s).pid)]));
    } finally {
      await fleet.stop();
    }
  } finally {
    await infra.stop();
  }
}

const launchers = new Map();
for (const tree of trees) launchers.set(tree, await loadLauncher(tree));

/** samples[tree][service] = MiB per round */
const samples = new Map(trees.map((t) => [t, Object.fromEntries(SERVICES.map((s) => [s, []]))]));
for (let round = 1; round <= rounds; round++) {
  for (const tree of trees) {
    process.stderr.write(`round ${round}/${rounds}: ${tree} ... `);
    const rss = await measure(tree, launchers.get(tree));
    for (const s of SERVICES) samples.get(tree)[s].push(rss[s]);
    process.stderr.write(SERVICES.map((s) => `${s} ${rss[s].toFixed(0)}`).join(', ') + ' MiB\n');
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cell = (xs) =>
  xs.length === 1 ? `${xs[0].toFixed(0)} MiB` : `${median(xs).toFixed(0)} MiB (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;

const label = (tree) => (tree === process.cwd() ? '.' : tree);
console.log(
  `\nIdle RSS (VmRSS ${idleMs / 1000} s after every service answered /ready; ${rounds === 1 ? 'one round' : `median (min-max) of ${rounds} rounds`}), Node ${process.version}${nodeOptions ? `, NODE_OPTIONS=${nodeOptions}` : ''}\n`,
);
const header = ['service', ...trees.map(label)];
if (trees.length === 2) header.push('change');
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
for (const s of SERVICES) {
  const row = [s, ...trees.map((t) => cell(samples.get(t)[s]))];
  if (trees.length === 2) {
    const [a, b] = trees.map((t) => median(samples.get(t)[s]));
    row.push(`${b - a >= 0 ? '+' : ''}${(b - a).toFixed(0)} MiB (${(((b - a) / a) * 100).toFixed(0)} %)`);
  }
  console.log(`| ${row.join(' | ')} |`);
}
