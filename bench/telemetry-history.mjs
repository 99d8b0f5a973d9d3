// Telemetry history queries at fleet scale (issue #7): the rollup tables seeded directly with
// generate_series — `--agents` agents × `--days` days of 1 h rollups and 24 h of 1 m rollups for
// `--minute-agents` of them (two metrics filled, cpu_percent and memory_percent; the other
// columns NULL / count 0, as for an agent that does not send them) — then, over gRPC against the
// telemetry service (its own process), GetHistory p50/p99 for one agent (a random one each query)
// over 24 h (1 m rollups) and over 30 d (1 h rollups), and GetFleetSummary (the last 5 minutes of
// the 1 m rollups, every agent) p50/p99.
//
//   node bench/telemetry-history.mjs [--agents 10000] [--days 30] [--minute-agents 1000] [--queries 300] [--warmup 30] [--cpu-prof DIR]
//
// Each kind of query first runs `--warmup` times uncounted: the first calls of a fresh process
// pay for compiling its code paths and opening pool connections (the first ten 24 h queries took
// 40–180 ms, the rest 20), which a running service has long paid.
//
// `--cpu-prof DIR` writes a V8 CPU profile of the telemetry process (bench/profile-summary.mjs reads it).
//
// Loopback only; the seeding is the long part (a minute or two per ~5 M rows on a quiet machine).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deployMigrations } from '../packages/prisma-migrate/dist/index.js';
import { freePort, runSql, SERVICE_NODE_ARGS, spawnProcess, startInfra } from '../packages/test-harness/dist/index.js';
import { createGrpcClient, unary } from '../packages/contracts/dist/grpc.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '10000' },
    days: { type: 'string', default: '30' },
    'minute-agents': { type: 'string', default: '1000' },
    queries: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    'cpu-prof': { type: 'string' },
  },
});
const AGENTS = Number(values.agents);
const DAYS = Number(values.days);
const MINUTE_AGENTS = Math.min(AGENTS, Number(values['minute-agents']));
const QUERIES = Number(values.queries);
const WARMUP = Number(values.warmup);
const CHUNK = 500;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const appDir = new URL('../apps/telemetry/', import.meta.url).pathname;
const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const agentId = (a) => `hist-${String(a).padStart(5, '0')}`;

/** Rows for agents [from, to) of one rollup table, one bucket per `step` over `span` back from `end`. */
const seedSql = (table, from, to, step, span, end) => `
  INSERT INTO ${table} (agent_id, bucket, samples, last_at,
    cpu_percent_sum, cpu_percent_count, cpu_percent_min, cpu_percent_max, cpu_percent_last,
    memory_percent_sum, memory_percent_count, memory_percent_min, memory_percent_max, memory_percent_last)
  SELECT 'hist-' || lpad(a::text, 5, '0'), b, n, b + interval '${step}' - interval '1 second',
    n * v, n, v - 10, v + 10, v, n * 50, n, 40, 60, 50
  FROM generate_series(${from}, ${to - 1}) a,
    generate_series(${end} - interval '${span}', ${end} - interval '${step}', interval '${step}') b,
    LATERAL (SELECT ${step === '1 hour' ? 360 : 6} AS n, 20 + (a * 7 + extract(epoch FROM b)::bigint / 60) % 60 AS v) x
  ORDER BY 1, 2`;

const infra = await startInfra();
let service;
try {
  const databaseUrl = await infra.postgres.createDatabase('telemetry');
  await deployMigrations({ schemaPath: join(appDir, 'prisma/schema.prisma'), migrationsDir: join(appDir, 'prisma/migrations'), databaseUrl });
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const profArgs = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  service = spawnProcess('telemetry', process.execPath, [...profArgs, ...SERVICE_NODE_ARGS], {
    cwd: appDir,
    env: {
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      DATABASE_URL: databaseUrl,
      NATS_URL: infra.nats.url,
      REDIS_URL: infra.redis.url,
      LOG_LEVEL: 'warn',
    },
  });
  // Ready = the partitions exist (created at start-up, before the service answers).
  await service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 60_000);

  const seed0 = performance.now();
  for (let a = 0; a < AGENTS; a += CHUNK) {
    await runSql(databaseUrl, seedSql('telemetry_rollup_1h', a, Math.min(AGENTS, a + CHUNK), '1 hour', `${DAYS} days`, "date_trunc('hour', now())"));
  }
  for (let a = 0; a < MINUTE_AGENTS; a += CHUNK) {
    await runSql(databaseUrl, seedSql('telemetry_rollup_1m', a, Math.min(MINUTE_AGENTS, a + CHUNK), '1 minute', '24 hours', "date_trunc('minute', now())"));
  }
  await runSql(databaseUrl, 'ANALYZE telemetry_rollup_1h; ANALYZE telemetry_rollup_1m');
  const count = async (t) => (await runSql(databaseUrl, `SELECT count(*)::int AS n FROM ${t}`)).rows[0].n;
  const [hours, minutes] = [await count('telemetry_rollup_1h'), await count('telemetry_rollup_1m')];
  const size = (await runSql(databaseUrl, `SELECT pg_size_pretty(pg_database_size(current_database())) AS s`)).rows[0].s;
  console.log(
    `seeded ${hours.toLocaleString('en')} 1 h rows (${AGENTS} agents × ${DAYS} d) and ${minutes.toLocaleString('en')} 1 m rows (${MINUTE_AGENTS} agents × 24 h) in ${((performance.now() - seed0) / 1000).toFixed(0)} s; database ${size}`,
  );

  const client = await createGrpcClient('telemetry', `127.0.0.1:${grpcPort}`, 'TelemetryHistoryService');
  const timed = async (label, call) => {
    for (let i = 0; i < WARMUP; i++) await call(i);
    const times = [];
    const windowFrom = process.hrtime.bigint() / 1000n;
    for (let i = 0; i < QUERIES; i++) {
      const t = performance.now();
      await call(i);
      times.push(performance.now() - t);
    }
    console.log(
      `${label}: p50 ${pct(times, 50).toFixed(1)} ms, p90 ${pct(times, 90).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms over ${QUERIES} queries`,
    );
    // The phase's window, for `bench/profile-summary.mjs FILE --from US --to US`.
    if (values['cpu-prof']) console.log(`  (profile window: --from ${windowFrom} --to ${process.hrtime.bigint() / 1000n})`);
  };
  const random = (n) => Math.floor(Math.random() * n);
  let points = 0;
  await timed('GetHistory 24 h (1 m rollups, 1,440 points)', async () => {
    const res = await unary(client, 'getHistory', {
      agentId: agentId(random(MINUTE_AGENTS)),
      from: new Date(Date.now() - 86_400_000).toISOString(),
      metrics: ['cpu_percent', 'memory_percent'],
    });
    points = res.points.length;
  });
  console.log(`  (last answer: ${points} points)`);
  await timed(`GetHistory ${DAYS} d (1 h rollups, ${DAYS * 24} points)`, async () => {
    const res = await unary(client, 'getHistory', {
      agentId: agentId(random(AGENTS)),
      from: new Date(Date.now() - DAYS * 86_400_000).toISOString(),
      metrics: ['cpu_percent', 'memory_percent'],
    });
    points = res.points.length;
  });
  console.log(`  (last answer: ${points} points)`);
  let agents = 0;
  await timed('GetFleetSummary, last 5 min, every agent', async () => {
    const res = await unary(client, 'getFleetSummary', { windowSeconds: 300 });
    agents = res.agentsReporting;
  });
  console.log(`  (last answer: ${agents} agents reporting)`);
  client.close();
  console.log(`load average at the end: ${loadavg()}`);
} finally {
  await service?.stop();
  await infra.stop();
}
