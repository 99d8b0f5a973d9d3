// Memory under a steady command load (issue #14 item 3): the whole system on loopback, simulated
// agents answering at once, single-target commands submitted at a fixed rate (open loop, at most
// 256 outstanding) for a number of minutes, every service under --max-old-space-size (the heap
// limit a container of that size would give it). RSS per process is sampled every 30 s; heap
// snapshots of command and gateway are taken after the warm-up and at the end and compared by
// constructor (bench/heap-diff.mjs).
//
// Run: node bench/command-soak.mjs [--minutes 30] [--warmup 3] [--rate 50] [--agents 100] [--heap-mib 512]
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startInfra } from '../packages/test-harness/dist/index.js';
import { startFleet } from '../packages/devstack/dist/index.js';
import { FleetSimulator, enrollThroughGateway } from '../packages/fleet-sim/dist/index.js';
import { openStream } from './command-hops-lib.mjs';
import { heapByConstructor, heapGrowth } from './heap-diff.mjs';

const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    rate: { type: 'string', default: '50' },
    agents: { type: 'string', default: '100' },
    'heap-mib': { type: 'string', default: '512' },
  },
});
const MINUTES = Number(opt.minutes);
const WARMUP_MIN = Number(opt.warmup);
const RATE = Number(opt.rate);
const AGENTS = Number(opt.agents);
const OUTSTANDING = 256;
const admin = { email: 'soak@fleetplane.local', password: 'bench-password-not-secret' };
const snapshots = mkdtempSync(join(tmpdir(), 'fleetplane-soak-'));

const rssMiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1] ?? NaN) / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A heap snapshot's JSON ends with "]}" (and maybe a newline). */
function complete(path, size) {
  if (size < 2) return false;
  const fd = openSync(path, 'r');
  const tail = Buffer.alloc(Math.min(4, size));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  closeSync(fd);
  return tail.toString().trimEnd().endsWith(']}');
}

const infra = await startInfra();
const fleet = await startFleet({
  infra,
  admin,
  jwtSecret: 'soak-secret-that-is-long-enough-0123456789',
  ...(process.env.BENCH_LOG_DIR ? { logDir: process.env.BENCH_LOG_DIR } : {}),
  env: {
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    NODE_OPTIONS: `--max-old-space-size=${opt['heap-mib']} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshots}`,
  },
});

/** Asks command and gateway for a heap snapshot each; resolves with their files once written. */
async function heapSnapshots(label) {
  const out = {};
  for (const name of ['command', 'gateway']) {
    const pid = fleet.processes.get(name).pid;
    const before = new Set(readdirSync(snapshots));
    process.kill(pid, 'SIGUSR2');
    for (let i = 0; i < 600; i++) {
      await sleep(500);
      // Written when the file's size stops changing.
      const file = readdirSync(snapshots).find((f) => !before.has(f) && f.includes(`.${pid}.`) && f.endsWith('.heapsnapshot'));
      if (file) {
        const path = join(snapshots, file);
        // Written once the JSON is closed and the size stays put.
        for (let size = -1; ; await sleep(1000)) {
          const now = statSync(path).size;
          if (now === size && complete(path, now)) break;
          size = now;
        }
        out[name] = path;
        break;
      }
    }
  }
  console.error(`[soak] heap snapshots ${label}: ${JSON.stringify(out)}`);
  return out;
}

const samples = [];
const sample = (label) => {
  const row = { label, at: new Date().toISOString(), rss: Object.fromEntries([...fleet.processes.entries()].map(([n, p]) => [n, rssMiB(p.pid)])) };
  samples.push(row);
  return row;
};

try {
  const login = async () =>
    (
      await (
        await fetch(`${fleet.gatewayUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) })
      ).json()
    ).accessToken;
  // Access tokens last 15 minutes, and the stream closes when its token does: both are renewed
  // every 5 minutes, the new stream opened before the old one closes.
  let token = await login();
  const agents = Array.from({ length: AGENTS }, (_, i) => ({ id: `soak-${i}`, site: 'soak' }));
  const sim = new FleetSimulator(await enrollThroughGateway({ gatewayUrl: fleet.gatewayUrl, ...admin }, agents, 16), {
    hubUrl: fleet.hubWsUrl,
    command: { latencyMs: 0, outputBytes: 64, failureRate: 0 },
  });
  sim.start();
  await sim.whenAllConnected(120_000);
  let stream = await openStream(fleet.gatewayUrl, token);
  let renewAt = Date.now() + 5 * 60_000;
  sample('start');

  let submitted = 0;
  let completed = 0;
  let failed = 0;
  let outstanding = 0;
  const t0 = Date.now();
  const end = t0 + MINUTES * 60_000;
  let warm;
  let nextSample = t0 + 30_000;
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
    while (submitted < due && outstanding < OUTSTANDING) {
      submitted++;
      outstanding++;
      const agentId = agents[submitted % agents.length].id;
      fetch(`${fleet.gatewayUrl}/api/v1/commands`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ verb: 'exec', params: { argv: ['true'] }, targets: [agentId] }),
      })
        .then(async (res) => {
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          const seen = await stream.finished((await res.json()).id);
          if (seen.state === 'COMPLETED') completed++;
          else failed++;
        })
        .catch((err) => {
          failed++;
          console.error(`[soak] ${err.message}`);
        })
        .finally(() => outstanding--);
    }
    if (!warm && Date.now() - t0 >= WARMUP_MIN * 60_000) {
      // Taking a snapshot costs the process RSS of its own: it belongs to the warm-up, and RSS is
      // read once it has settled; the end's RSS is read before the last snapshot.
      const heap = await heapSnapshots('after warm-up');
      await sleep(30_000);
      warm = { row: sample('after warm-up'), heap };
    }
    if (Date.now() >= renewAt) {
      token = await login();
      const old = stream;
      stream = await openStream(fleet.gatewayUrl, token, old.shared);
      setTimeout(() => old.close(), 5_000);
      renewAt += 5 * 60_000;
    }
    if (Date.now() >= nextSample) {
      const row = sample('');
      console.error(
        `[soak] ${row.at} submitted ${submitted} completed ${completed} failed ${failed} | ${Object.entries(row.rss)
          .map(([n, m]) => `${n} ${m.toFixed(0)}`)
          .join(' ')}`,
      );
      nextSample += 30_000;
    }
    await sleep(10);
  }
  while (outstanding > 0 && Date.now() < end + 60_000) await sleep(100);
  const last = sample('end');
  const finalHeap = await heapSnapshots('end');
  stream.close();
  await sim.stop();

  console.log(`\n## Soak: ${MINUTES} min at ${RATE} commands/s, ${AGENTS} agents, --max-old-space-size=${opt['heap-mib']}\n`);
  console.log(`submitted ${submitted}, completed ${completed}, failed or lost ${failed}\n`);
  console.log('| process | start | after warm-up | end | end vs warm-up |');
  console.log('|---|---|---|---|---|');
  for (const name of Object.keys(last.rss)) {
    const w = warm?.row.rss[name];
    console.log(
      `| ${name} | ${samples[0].rss[name].toFixed(0)} MiB | ${w?.toFixed(0)} MiB | ${last.rss[name].toFixed(0)} MiB | ${w ? `${(((last.rss[name] - w) / w) * 100).toFixed(1)} %` : '–'} |`,
    );
  }
  for (const name of ['command', 'gateway']) {
    if (!warm?.heap[name] || !finalHeap[name]) continue;
    const a = heapByConstructor(warm.heap[name]);
    const b = heapByConstructor(finalHeap[name]);
    console.log(`\n### ${name}: heap ${(a.total / 2 ** 20).toFixed(1)} MiB after warm-up → ${(b.total / 2 ** 20).toFixed(1)} MiB at the end; most growth:\n`);
    console.log('| kind | objects | self size |');
    console.log('|---|---|---|');
    for (const g of heapGrowth(a, b, 8)) console.log(`| ${g.key} | ${g.count >= 0 ? '+' : ''}${g.count} | ${(g.size / 1024).toFixed(0)} KiB |`);
  }
  console.log('\nRSS every 30 s:');
  for (const s of samples)
    console.log(
      `${s.at} ${s.label} ${Object.entries(s.rss)
        .map(([n, m]) => `${n}=${m.toFixed(0)}`)
        .join(' ')}`,
    );
} finally {
  await fleet.stop();
  await infra.stop();
}
