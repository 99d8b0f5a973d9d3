// Alert latency (issue #7): from the sample that crosses a rule's threshold after its `for` to
// the alert.fired frame on the gateway's live stream, through the real path: the whole system as
// `make up` runs it (devstack's startFleet: real nats-server, redis-server and PostgreSQL on
// loopback, every service its own process, LOG_LEVEL=warn). Samples go to JetStream as the hub
// publishes them (subject fleet.telemetry.<agent>); telemetry's batch ingest stores them, its
// evaluator opens the alert and publishes fleet.events.alert.fired, the gateway pushes it to a
// WebSocket client of /api/v1/stream subscribed with subscribe_alerts.
//
//   node bench/telemetry-alert-latency.mjs [--trials 200] [--background 1000]
//
// Each trial is its own agent under a rule `cpu_percent > 80 for 10 s`: a first sample at 90 %
// stamped 10 s ago (stored, not yet an alert: no sample has held the `for`), then — clock
// started — a second at 90 % stamped now, which has: the alert fires. `--background` samples/s
// from 500 other agents (below every threshold) keep the ingest batching as it would under load.
// Loopback only; bounded: start-up (~20 s) plus about trials × 0.15 s.
/* global WebSocket -- Node 24's built-in WebSocket client */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startInfra } from '../packages/test-harness/dist/index.js';
import { startFleet } from '../packages/devstack/dist/index.js';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '200' }, background: { type: 'string', default: '1000' } } });
const TRIALS = Number(values.trials);
const BACKGROUND = Number(values.background);
const admin = { email: 'bench@fleetplane.local', password: 'bench-password-not-secret' };
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const sample = (agentId, at, cpuPercent) =>
  JSON.stringify({
    agentId,
    takenAt: new Date(at).toISOString(),
    cpuPercent,
    memoryUsedBytes: 1,
    memoryTotalBytes: 4,
    load: [0, 0, 0],
    diskUsedBytes: 1,
    diskTotalBytes: 2,
    uptimeSeconds: 1,
  });

const infra = await startInfra();
let fleet;
let stopBackground = false;
try {
  fleet = await startFleet({ infra, admin, jwtSecret: 'bench-secret-that-is-long-enough-0123456789', env: { LOG_LEVEL: 'warn' } });
  const api = async (method, path, body, token) => {
    const res = await fetch(`${fleet.gatewayUrl}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const { accessToken } = await api('POST', '/auth/login', admin);
  const agents = Array.from({ length: TRIALS }, (_, i) => `lat-${i}`);
  await api(
    'POST',
    '/alert-rules',
    { name: 'bench-cpu', metric: 'cpu_percent', comparison: '>', warning: 80, forSeconds: 10, scope: { agentIds: agents } },
    accessToken,
  );

  const ws = new WebSocket(`${fleet.gatewayUrl.replace('http', 'ws')}/api/v1/stream`);
  const waiting = new Map();
  const ready = new Promise((resolve, reject) => {
    ws.onerror = reject;
    ws.onmessage = (m) => {
      const f = JSON.parse(m.data);
      if (f.type === 'alerts_subscribed') resolve();
      if (f.type === 'alert.fired') waiting.get(f.agentId)?.(performance.now());
    };
  });
  await new Promise((r) => (ws.onopen = r));
  ws.send(JSON.stringify({ type: 'auth', token: accessToken }));
  await sleep(200);
  ws.send(JSON.stringify({ type: 'subscribe_alerts' }));
  await ready;

  const nc = await connect({ servers: infra.nats.url });
  const js = jetstream(nc);
  // Background: 500 agents at 40 % CPU, BACKGROUND samples/s in 20 ms ticks.
  const background = (async () => {
    let n = 0;
    for (let tick = 0; !stopBackground; tick++) {
      const per = Math.round(BACKGROUND / 50);
      const at = Date.now();
      await Promise.all(Array.from({ length: per }, () => js.publish(`fleet.telemetry.bg-${n++ % 500}`, sample(`bg-${n % 500}`, at + (n % 1000), 40))));
      await sleep(20);
    }
  })();
  await sleep(1000);

  const latencies = [];
  const t0 = performance.now();
  for (const agent of agents) {
    const now = Date.now();
    await js.publish(`fleet.telemetry.${agent}`, sample(agent, now - 10_000, 90));
    // The first sample stored and evaluated before the clock starts (no alert yet).
    await sleep(120);
    const fired = new Promise((resolve, reject) => {
      waiting.set(agent, resolve);
      setTimeout(() => reject(new Error(`no alert.fired for ${agent} within 10 s`)), 10_000);
    });
    const start = performance.now();
    await js.publish(`fleet.telemetry.${agent}`, sample(agent, now, 90));
    latencies.push((await fired) - start);
  }
  const seconds = (performance.now() - t0) / 1000;
  stopBackground = true;
  await background;
  ws.close();
  await nc.close();
  const ms = (x) => `${x.toFixed(1)} ms`;
  console.log(JSON.stringify({ trials: TRIALS, backgroundSamplesPerSecond: BACKGROUND, seconds: Number(seconds.toFixed(1)), loadavg: loadavg() }));
  console.log(
    `alert latency (sample published → alert.fired on the stream): p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))}, max ${ms(Math.max(...latencies))}`,
  );
} finally {
  stopBackground = true;
  await fleet?.stop();
  await infra.stop();
}
