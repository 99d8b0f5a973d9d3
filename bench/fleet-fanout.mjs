// Fleet commands at scale (issue #10): one command fanned out by selector to N simulated agents
// (packages/fleet-sim: the real agent protocol, answering at once), timed from POST until every
// execution is stored COMPLETED; then a command whose simulated processes run long, cancelled,
// timed until every execution is CANCELLED. Whole system on loopback (gateway, command, agent-hub
// as processes on real NATS, Redis, PostgreSQL); the client watches GET /commands/{id}'s summary.
// Run: node bench/fleet-fanout.mjs [--trace] [N ...]   (default 1000; bounded by a time budget per step)
// With --trace every process exports spans to an OTLP receiver here, and the submit of each
// fan-out is broken down into its parts (target resolution, store, queue adds) from its spans.
// Every fan-out also prints the CPU each process used from the POST until all were COMPLETED
// (the simulated agents run in this process, as `bench`).
import { startInfra, startOtlpReceiver } from '../packages/test-harness/dist/index.js';
import { startFleet, GatewayClient } from '../packages/devstack/dist/index.js';
import { FleetSimulator, enrollThroughGateway } from '../packages/fleet-sim/dist/index.js';
import { cpuBetween, cpuByProcess } from './process-cpu.mjs';

const TRACE = process.argv.includes('--trace');
const SIZES = process.argv
  .slice(2)
  .filter((a) => a !== '--trace')
  .map(Number)
  .filter((n) => n > 0);
if (SIZES.length === 0) SIZES.push(1000);
const STEP_BUDGET_MS = 120_000;
// The client's summary read aggregates every execution of the command in PostgreSQL: polled every
// 50 ms on a 10,000-agent command it was a load of its own (28 of PostgreSQL's 48 CPU-seconds, and
// 84.5 s instead of 50.2 s until all COMPLETED), so beyond 1,000 agents it is read once a second.
// POLL_MS overrides both.
const pollMs = (n) => Number(process.env.POLL_MS ?? (n > 1000 ? 1000 : 50));
let POLL_MS = 50;
const admin = { email: 'fanout@fleetplane.local', password: 'bench-password-not-secret' };

async function bearer(url) {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  return (await res.json()).accessToken;
}

async function api(url, token, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Polls the command's summary until `done(byState)`; returns the elapsed ms since `t0`. */
async function until(url, token, id, t0, done) {
  const deadline = t0 + STEP_BUDGET_MS;
  for (;;) {
    const c = await api(url, token, 'GET', `/api/v1/commands/${id}`);
    if (done(c.summary.byState)) return performance.now() - t0;
    if (performance.now() > deadline) throw new Error(`command ${id} not done in ${STEP_BUDGET_MS} ms: ${JSON.stringify(c.summary.byState)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const otlp = TRACE ? await startOtlpReceiver() : undefined;
const infra = await startInfra();
const fleet = await startFleet({
  infra,
  admin,
  jwtSecret: 'fanout-secret-that-is-long-enough-0123456789',
  ...(otlp ? { otlpEndpoint: otlp.url } : {}),
  // The enrolment of thousands of agents through the gateway is setup, not the figure: no request
  // limits. A 10,000-target submit takes longer than the gateway's default 5 s upstream timeout.
  env: {
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    DISPATCH_CONCURRENCY: '64',
    UPSTREAM_TIMEOUT_MS: '60000',
    // e.g. BENCH_ENV='{"NODE_OPTIONS":"--cpu-prof --cpu-prof-dir=/tmp/prof"}' to profile every service.
    ...(process.env.BENCH_ENV ? JSON.parse(process.env.BENCH_ENV) : {}),
  },
});

/** The slowest SubmitCommand the command service served, and how long each of its parts took. */
async function submitBreakdown() {
  await new Promise((r) => setTimeout(r, 3_000));
  const spans = otlp.spans();
  const submit = spans
    .filter((s) => s.serviceName === 'command' && s.name.endsWith('CommandService/SubmitCommand'))
    .sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs))[0];
  if (!submit) return 'no SubmitCommand span';
  const kids = spans.filter((s) => s.parentSpanId === submit.spanId).sort((a, b) => a.startMs - b.startMs);
  const parts = kids.map((k) => `${k.name.slice(0, 40)} ${(k.endMs - k.startMs).toFixed(0)} ms`);
  return `SubmitCommand ${(submit.endMs - submit.startMs).toFixed(0)} ms: ${parts.join(', ')}`;
}
const rows = [];
try {
  const gateway = new GatewayClient(fleet.gatewayUrl);
  await gateway.login(admin.email, admin.password);
  for (const n of SIZES) {
    POLL_MS = pollMs(n);
    const site = `fanout-${n}`;
    const creds = await enrollThroughGateway(
      { gatewayUrl: fleet.gatewayUrl, ...admin },
      Array.from({ length: n }, (_, i) => ({ id: `${site}-${i}`, site })),
      16,
    );
    // Two simulated fleets on the same credentials would replace each other: one fleet per step,
    // answering at once for the fan-out, then restarted slow for the cancel.
    let sim = new FleetSimulator(creds, { hubUrl: fleet.hubWsUrl, command: { latencyMs: 0, outputBytes: 64, failureRate: 0 } });
    sim.start();
    await sim.whenAllConnected(STEP_BUDGET_MS);
    const token = await bearer(fleet.gatewayUrl);
    const target = { site };

    const pids = new Map([...fleet.processes.entries()].map(([name, p]) => [name, p.pid]));
    const cpuBefore = cpuByProcess(pids);
    const windowStart = process.hrtime.bigint() / 1000n;
    let t0 = performance.now();
    const c = await api(fleet.gatewayUrl, token, 'POST', '/api/v1/commands', { verb: 'exec', params: { argv: ['true'] }, targets: target });
    const submitMs = performance.now() - t0;
    if (otlp) console.error(`[fanout] ${n}: ${await submitBreakdown()}`);
    otlp?.spans().splice(0);
    const fanoutMs = await until(fleet.gatewayUrl, token, c.id, t0, (s) => s.COMPLETED === n);
    const cpu = cpuBetween(cpuBefore, cpuByProcess(pids));
    // For bench/profile-summary.mjs --from --to on the services' --cpu-prof profiles.
    console.error(`[fanout] ${n}: POST until all COMPLETED = monotonic µs ${windowStart} to ${process.hrtime.bigint() / 1000n}`);
    await sim.stop();

    sim = new FleetSimulator(creds, { hubUrl: fleet.hubWsUrl, command: { latencyMs: 3_600_000, outputBytes: 0, failureRate: 0 } });
    sim.start();
    await sim.whenAllConnected(STEP_BUDGET_MS);
    const slow = await api(fleet.gatewayUrl, token, 'POST', '/api/v1/commands', { verb: 'exec', params: { argv: ['sleep', '600'] }, targets: target });
    await until(fleet.gatewayUrl, token, slow.id, performance.now(), (s) => s.DISPATCHED + s.RUNNING === n);
    t0 = performance.now();
    await api(fleet.gatewayUrl, token, 'POST', `/api/v1/commands/${slow.id}/cancel`);
    const cancelMs = await until(fleet.gatewayUrl, token, slow.id, t0, (s) => s.CANCELLED === n);
    await sim.stop();
    rows.push({ n, submitMs, fanoutMs, cancelMs, cpu });
    console.error(`[fanout] ${n}: submit ${submitMs.toFixed(0)} ms, all COMPLETED ${fanoutMs.toFixed(0)} ms, all CANCELLED ${cancelMs.toFixed(0)} ms`);
  }
} finally {
  await fleet.stop();
  await infra.stop();
  await otlp?.stop();
}

console.log('\n## Fleet commands: one command to N simulated agents (selector by site)\n');
console.log('| agents | POST (resolve + store + queue) | until all COMPLETED | executions/s | cancel until all CANCELLED |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.n} | ${r.submitMs.toFixed(0)} ms | ${(r.fanoutMs / 1000).toFixed(2)} s | ${Math.round(r.n / (r.fanoutMs / 1000))} | ${(r.cancelMs / 1000).toFixed(2)} s |`,
  );
}
for (const r of rows) {
  const total = r.cpu.reduce((sum, [, sec]) => sum + sec, 0);
  console.log(`\n### CPU per process, ${r.n} agents, POST until all COMPLETED (${(r.fanoutMs / 1000).toFixed(2)} s wall, 2 cores)\n`);
  console.log('| process | CPU seconds | CPU ms per execution |');
  console.log('|---|---:|---:|');
  for (const [name, sec] of [...r.cpu, ['all', total]]) console.log(`| ${name} | ${sec.toFixed(2)} | ${((sec * 1000) / r.n).toFixed(2)} |`);
}
