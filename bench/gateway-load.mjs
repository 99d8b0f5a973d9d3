// The gateway under load, with its request limits on and off side by side in one run:
// `GET /api/v1/agents` and `POST /api/v1/commands` from autocannon (this process) against the
// whole system as `make up` runs it (real nats-server, redis-server and PostgreSQL on loopback,
// the six services as separate processes, LOG_LEVEL=warn, no OTLP export). Two gateways run at
// once on the same databases and peers: the fleet's own, with RATE_LIMIT_ENABLED=true and limits
// far above the load (every request is counted in Redis, none refused: the limiter's cost), and a
// second one started here with RATE_LIMIT_ENABLED=false. Each step runs on both, alternating
// which goes first, so drift of the machine hits both alike.
//
//   node bench/gateway-load.mjs [--seconds 5] [--get-connections 1,2,4,8,16] [--post-connections 1,8]
//                               [--otel-instrumentations http]   (OTEL_NODE_ENABLED_INSTRUMENTATIONS of every process)
//
// Loopback only; bounded: (get + post steps) × 2 gateways × (seconds + 1 s warm-up), under 2 minutes
// with the defaults, start-up included. The command target is an enrolled agent that never
// connects, so command accepts each command and its dispatch fails fast (agent offline) instead
// of a real agent spawning processes on the same two cores.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, spawnProcess, startInfra, SERVICE_NODE_ARGS } from '../packages/test-harness/dist/index.js';
import { REPO_ROOT, startFleet } from '../packages/devstack/dist/index.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    'get-connections': { type: 'string', default: '1,2,4,8,16' },
    'post-connections': { type: 'string', default: '1,8' },
    'otel-instrumentations': { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const GET_CONNECTIONS = values['get-connections'].split(',').map(Number);
const POST_CONNECTIONS = values['post-connections'].split(',').map(Number);
const admin = { email: 'bench@fleetplane.local', password: 'bench-password-not-secret' };
const jwtSecret = 'bench-secret-that-is-long-enough-0123456789';
// Far above anything this machine can send (~170,000 requests/s): counted, never refused.
const UNREACHABLE = '10000000/60s';
const LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_IP: UNREACHABLE,
  RATE_LIMIT_AUTH: UNREACHABLE,
  RATE_LIMIT_READ: UNREACHABLE,
  RATE_LIMIT_WRITE: UNREACHABLE,
};

const OTEL = values['otel-instrumentations'] ? { OTEL_NODE_ENABLED_INSTRUMENTATIONS: values['otel-instrumentations'] } : {};

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function login(base) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  return (await res.json()).accessToken;
}

/** One autocannon step; `warmup` first (not counted). */
async function step(base, token, request, connections) {
  const opts = {
    url: `${base}${request.path}`,
    method: request.method,
    headers: { authorization: `Bearer ${token}`, ...(request.body ? { 'content-type': 'application/json' } : {}) },
    ...(request.body ? { body: JSON.stringify(request.body) } : {}),
    connections,
  };
  await autocannon({ ...opts, duration: 1 });
  // autocannon's own histogram keeps whole milliseconds; the goal is about half of one, so
  // every response time is kept as measured (float ms, from process.hrtime).
  const samples = [];
  const run = autocannon({ ...opts, duration: SECONDS });
  run.on('response', (_client, _status, _bytes, ms) => samples.push(ms));
  const r = await run;
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${request.method} ${request.path} c=${connections}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  samples.sort((x, y) => x - y);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
  return { rps: r['2xx'] / r.duration, p50: pct(50), p99: pct(99), max: samples.at(-1), requests: samples.length };
}

const infra = await startInfra();
const fleet = await startFleet({ infra, admin, jwtSecret, env: { LOG_LEVEL: 'warn', ...OTEL, ...LIMITS } });
let unlimited;
try {
  // The second gateway: the fleet's gateway environment (devstack's), limits off.
  const [port, metricsPort] = [await freePort(), await freePort()];
  unlimited = spawnProcess('gateway (limits off)', process.execPath, [...SERVICE_NODE_ARGS], {
    cwd: join(REPO_ROOT, 'apps', 'gateway'),
    env: {
      HTTP_HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      OTEL_SERVICE_NAME: 'gateway',
      HTTP_PORT: String(port),
      METRICS_PORT: String(metricsPort),
      DATABASE_URL: fleet.databaseUrls.gateway,
      REDIS_URL: `${infra.redis.url}/2`,
      NATS_URL: infra.nats.url,
      COMMAND_GRPC_URL: `127.0.0.1:${fleet.ports.commandGrpc}`,
      AGENT_HUB_GRPC_URL: `127.0.0.1:${fleet.ports.agentHubGrpc}`,
      JWT_SECRET: jwtSecret,
      RATE_LIMIT_ENABLED: 'false',
      ...OTEL,
    },
  });
  const offBase = `http://127.0.0.1:${port}`;
  await unlimited.waitForHttp(`${offBase}/ready`, 60_000);
  const gateways = [
    { name: 'on', base: fleet.gatewayUrl },
    { name: 'off', base: offBase },
  ];
  const token = await login(fleet.gatewayUrl);
  // Same secret, same database: one token serves both gateways.
  const enrolled = await fetch(`${fleet.gatewayUrl}/api/v1/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'bench-offline', site: 'bench' }),
  });
  if (enrolled.status !== 201 && enrolled.status !== 200) throw new Error(`enroll answered ${enrolled.status}`);
  const limited = await fetch(`${fleet.gatewayUrl}/api/v1/agents`, { headers: { authorization: `Bearer ${token}` } });
  if (!limited.headers.get('x-ratelimit-limit')) throw new Error('the limited gateway sent no X-RateLimit-Limit');
  const free = await fetch(`${offBase}/api/v1/agents`, { headers: { authorization: `Bearer ${token}` } });
  if (free.headers.get('x-ratelimit-limit')) throw new Error('the unlimited gateway sent X-RateLimit-Limit');

  const plan = [
    ...GET_CONNECTIONS.map((c) => ({ request: { method: 'GET', path: '/api/v1/agents' }, connections: c })),
    ...POST_CONNECTIONS.map((c) => ({
      request: { method: 'POST', path: '/api/v1/commands', body: { verb: 'exec', params: { argv: ['true'] }, targets: ['bench-offline'] } },
      connections: c,
    })),
  ];
  const loadBefore = loadavg();
  const rows = [];
  for (const [i, { request, connections }] of plan.entries()) {
    const order = i % 2 === 0 ? gateways : [...gateways].reverse();
    const seen = {};
    for (const g of order) seen[g.name] = await step(g.base, token, request, connections);
    rows.push({ request, connections, ...seen });
    const brief = (s) => `${s.rps.toFixed(0)}/s p50 ${s.p50.toFixed(2)} p99 ${s.p99.toFixed(2)}`;
    console.error(`${request.method} ${request.path} c=${connections}: on ${brief(seen.on)}; off ${brief(seen.off)}`);
  }
  const loadAfter = loadavg();

  const ms = (v) => `${v.toFixed(2)} ms`;
  console.log(`\n## Gateway load, request limits on and off (${SECONDS} s per step after 1 s of warm-up)\n`);
  console.log(`Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}.\n`);
  console.log('| request | connections | limits | requests/s | p50 | p99 | max | Δ p50 (on − off) |');
  console.log('|---|---:|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    for (const name of ['on', 'off']) {
      const s = r[name];
      const delta = name === 'on' ? `${(r.on.p50 - r.off.p50).toFixed(2)} ms` : '';
      console.log(
        `| ${r.request.method} ${r.request.path} | ${r.connections} | ${name} | ${s.rps.toFixed(0)} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} | ${delta} |`,
      );
    }
  }
} finally {
  await unlimited?.stop();
  await fleet.stop();
  await infra.stop();
}
