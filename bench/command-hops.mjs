// The command path hop by hop (issue #14). The whole system on loopback (gateway, command,
// agent-hub, telemetry, tile-worker, backup as processes on real NATS, Redis, PostgreSQL) and
// simulated agents of packages/fleet-sim answering at once, so the agents cost nothing.
//
//   sequential: N single-target commands one after another to one agent;
//   loaded:     M single-target commands over A agents from C concurrent clients.
//
// Each command is timed from its POST until a client subscribed to the gateway's live stream
// (/api/v1/stream, no polling) sees its execution COMPLETED. With --trace every process exports
// its spans to an OTLP receiver in this process and the run prints, per hop, the median and p99
// (span start times are millisecond-precise in the OTel JS SDK, durations are not: a gap between
// two spans is ±1 ms, a span's own duration exact).
//
// Run: node bench/command-hops.mjs [--sequential 500] [--loaded 3000] [--clients 64] [--agents 1000] [--trace]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startInfra, startOtlpReceiver } from '../packages/test-harness/dist/index.js';
import { startFleet } from '../packages/devstack/dist/index.js';
import { FleetSimulator, enrollThroughGateway } from '../packages/fleet-sim/dist/index.js';
import { hopsOfTrace, HOPS, openStream } from './command-hops-lib.mjs';

const { values: opt } = parseArgs({
  options: {
    sequential: { type: 'string', default: '500' },
    loaded: { type: 'string', default: '3000' },
    clients: { type: 'string', default: '64' },
    agents: { type: 'string', default: '1000' },
    trace: { type: 'boolean', default: false },
  },
});
const SEQUENTIAL = Number(opt.sequential);
const LOADED = Number(opt.loaded);
const CLIENTS = Number(opt.clients);
const AGENTS = Math.max(1, Number(opt.agents));
const BUDGET_MS = 5 * 60_000;
const admin = { email: 'hops@fleetplane.local', password: 'bench-password-not-secret' };

/** CPU seconds (user + system) a process has used so far. */
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const cpuOfAll = () => Object.fromEntries([...fleet.processes.entries()].map(([name, p]) => [name, cpuSeconds(p.pid)]));
const rssMiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1] ?? NaN) / 1024;
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '–');

const otlp = opt.trace ? await startOtlpReceiver() : undefined;
const infra = await startInfra();
const fleet = await startFleet({
  infra,
  admin,
  jwtSecret: 'hops-secret-that-is-long-enough-0123456789',
  ...(otlp ? { otlpEndpoint: otlp.url } : {}),
  ...(process.env.BENCH_LOG_DIR ? { logDir: process.env.BENCH_LOG_DIR } : {}),
  // Enrolling a thousand agents through the gateway is setup, not the figure: no request limits.
  env: { LOG_LEVEL: 'warn', RATE_LIMIT_ENABLED: 'false', ...(process.env.BENCH_ENV ? JSON.parse(process.env.BENCH_ENV) : {}) },
});

async function api(token, method, path, body) {
  const res = await fetch(`${fleet.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function runCommands({ count, clients, agentIds, token, stream }) {
  const post = [];
  const e2e = [];
  const commandIds = [];
  let next = 0;
  const t0 = performance.now();
  const client = async () => {
    while (next < count && performance.now() - t0 < BUDGET_MS) {
      const i = next++;
      const started = performance.now();
      const c = await api(token, 'POST', '/api/v1/commands', { verb: 'exec', params: { argv: ['true'] }, targets: [agentIds[i % agentIds.length]] });
      post.push(performance.now() - started);
      commandIds.push(c.id);
      const seen = await stream.finished(c.id);
      if (seen.state !== 'COMPLETED') throw new Error(`command ${c.id} ended ${seen.state}`);
      e2e.push(seen.at - started);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const elapsed = performance.now() - t0;
  post.sort((a, b) => a - b);
  e2e.sort((a, b) => a - b);
  return { count: e2e.length, elapsed, post, e2e, commandIds };
}

/** Per-hop medians and p99s over the traces of the given run's commands. */
async function breakdown(run) {
  if (!otlp) return undefined;
  // The exporters flush every 200 ms; give the last spans time to arrive.
  await new Promise((r) => setTimeout(r, 3_000));
  const byTrace = new Map();
  for (const s of otlp.spans()) {
    let list = byTrace.get(s.traceId);
    if (!list) byTrace.set(s.traceId, (list = []));
    list.push(s);
  }
  const wanted = new Set(run.commandIds);
  const samples = Object.fromEntries(HOPS.map((h) => [h.key, []]));
  let traces = 0;
  for (const spans of byTrace.values()) {
    const hops = hopsOfTrace(spans);
    if (!hops || !wanted.has(hops.commandId)) continue;
    traces++;
    for (const h of HOPS) if (Number.isFinite(hops.values[h.key])) samples[h.key].push(hops.values[h.key]);
  }
  for (const list of Object.values(samples)) list.sort((a, b) => a - b);
  return { traces, samples };
}

const results = [];
try {
  const token = (
    await (
      await fetch(`${fleet.gatewayUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) })
    ).json()
  ).accessToken;
  const agents = Array.from({ length: AGENTS }, (_, i) => ({ id: `hops-${i}`, site: 'hops' }));
  const creds = await enrollThroughGateway({ gatewayUrl: fleet.gatewayUrl, ...admin }, agents, 16);
  const sim = new FleetSimulator(creds, { hubUrl: fleet.hubWsUrl, command: { latencyMs: 0, outputBytes: 16, failureRate: 0 } });
  sim.start();
  await sim.whenAllConnected(BUDGET_MS);
  const stream = await openStream(fleet.gatewayUrl, token);
  // Warm-up: connections, prepared statements, JIT; not counted.
  await runCommands({ count: 50, clients: 4, agentIds: [agents[0].id], token, stream });
  otlp?.spans().splice(0);
  const rssAfterWarmup = Object.fromEntries([...fleet.processes.entries()].map(([name, p]) => [name, rssMiB(p.pid)]));

  if (SEQUENTIAL > 0) {
    const run = await runCommands({ count: SEQUENTIAL, clients: 1, agentIds: [agents[0].id], token, stream });
    results.push({ name: `sequential, 1 agent, ${run.count} commands`, run, hops: await breakdown(run) });
    otlp?.spans().splice(0);
  }
  if (LOADED > 0) {
    const cpuBefore = { ...cpuOfAll(), bench: process.cpuUsage() };
    const run = await runCommands({ count: LOADED, clients: CLIENTS, agentIds: agents.map((a) => a.id), token, stream });
    const cpuAfter = cpuOfAll();
    const bench = process.cpuUsage(cpuBefore.bench);
    run.cpu = Object.fromEntries([
      ...Object.keys(cpuAfter).map((name) => [name, cpuAfter[name] - cpuBefore[name]]),
      ['bench (clients, simulated agents, OTLP receiver)', (bench.user + bench.system) / 1e6],
    ]);
    results.push({ name: `loaded, ${AGENTS} agents, ${CLIENTS} clients, ${run.count} commands`, run, hops: await breakdown(run) });
  }
  const rssEnd = Object.fromEntries([...fleet.processes.entries()].map(([name, p]) => [name, rssMiB(p.pid)]));
  stream.close();
  await sim.stop();

  console.log(`\n## Command path: POST until COMPLETED on the live stream${otlp ? ' (traced: every process exports spans)' : ''}\n`);
  console.log('| run | commands/s | POST p50 | POST p99 | end to end p50 | end to end p99 |');
  console.log('|---|---|---|---|---|---|');
  for (const { name, run } of results) {
    console.log(
      `| ${name} | ${(run.count / (run.elapsed / 1000)).toFixed(0)} | ${ms(pct(run.post, 50))} | ${ms(pct(run.post, 99))} | ${ms(pct(run.e2e, 50))} | ${ms(pct(run.e2e, 99))} |`,
    );
  }
  if (otlp) {
    console.log('\n## Per hop, from the traces (median / p99)\n');
    console.log(`| hop | ${results.map((r) => r.name.split(',')[0]).join(' | ')} |`);
    console.log(`|---|${results.map(() => '---').join('|')}|`);
    for (const h of HOPS) {
      const cells = results.map((r) => {
        const s = r.hops?.samples[h.key] ?? [];
        return s.length ? `${pct(s, 50).toFixed(1)} / ${pct(s, 99).toFixed(1)}` : '–';
      });
      console.log(`| ${h.label} | ${cells.join(' | ')} |`);
    }
    console.log(`\ntraces used: ${results.map((r) => `${r.hops?.traces ?? 0} of ${r.run.count}`).join(', ')}`);
  }
  const loaded = results.find((r) => r.run.cpu);
  if (loaded) {
    console.log(
      `\n## CPU per process during the loaded run (${(loaded.run.elapsed / 1000).toFixed(1)} s wall, 2 cores; PostgreSQL, Redis and NATS not counted)\n`,
    );
    console.log('| process | CPU seconds | CPU ms per command |');
    console.log('|---|---|---|');
    for (const [name, sec] of Object.entries(loaded.run.cpu)) console.log(`| ${name} | ${sec.toFixed(1)} | ${((sec * 1000) / loaded.run.count).toFixed(2)} |`);
  }
  console.log('\n## Resident memory (RSS) per process\n');
  console.log('| process | after warm-up | at the end |');
  console.log('|---|---|---|');
  for (const name of Object.keys(rssEnd)) console.log(`| ${name} | ${rssAfterWarmup[name].toFixed(0)} MiB | ${rssEnd[name].toFixed(0)} MiB |`);
} finally {
  await fleet.stop();
  await infra.stop();
  await otlp?.stop();
}
