// Telemetry ingest and history queries (issue #7): samples published to JetStream as the hub
// publishes them (durable publishes, many in flight), through the telemetry service (its own
// process: batched multi-row inserts with both rollups, Redis latest) into PostgreSQL; zero loss
// is checked by counting rows against samples sent. Then GetHistory p50/p99 for one agent over
// 24 h (1 m rollups) and 30 d (1 h rollups), over gRPC — on the tables this run filled (seconds
// of data per agent), not the 10,000 agents × 30 days.
//
//   node bench/telemetry-ingest.mjs [--agents 1000] [--seconds 30] [--in-flight 2000] [--queries 200]
//
// Not the whole path of the goal: simulated agents → hub is left out (this process plays
// the hub's publisher), so the figure is JetStream → telemetry → PostgreSQL. Loopback only;
// bounded: start-up (~15 s) plus `seconds` plus the drain.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { deployMigrations } from '../packages/prisma-migrate/dist/index.js';
import { freePort, runSql, SERVICE_NODE_ARGS, spawnProcess, startInfra } from '../packages/test-harness/dist/index.js';
import { createGrpcClient, unary } from '../packages/contracts/dist/grpc.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    'in-flight': { type: 'string', default: '2000' },
    queries: { type: 'string', default: '200' },
  },
});
const AGENTS = Number(values.agents);
const SECONDS = Number(values.seconds);
const IN_FLIGHT = Number(values['in-flight']);
const QUERIES = Number(values.queries);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const appDir = new URL('../apps/telemetry/', import.meta.url).pathname;
const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const infra = await startInfra();
let service;
try {
  const databaseUrl = await infra.postgres.createDatabase('telemetry');
  await deployMigrations({ schemaPath: join(appDir, 'prisma/schema.prisma'), migrationsDir: join(appDir, 'prisma/migrations'), databaseUrl });
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  service = spawnProcess('telemetry', process.execPath, [...SERVICE_NODE_ARGS], {
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
  await service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 60_000);
  const nc = await connect({ servers: infra.nats.url });
  const js = jetstream(nc);

  // Each round stamped with the time it starts (at least 1 ms after the previous round), so every
  // sample is a distinct (agent, taken_at) and the service's lag histogram measures real lag.
  let lastMs = 0;
  let sent = 0;
  const t0 = performance.now();
  const until = t0 + SECONDS * 1000;
  const inFlight = new Set();
  for (let round = 0; performance.now() < until; round++) {
    lastMs = Math.max(Date.now(), lastMs + 1);
    const takenAt = new Date(lastMs).toISOString();
    for (let a = 0; a < AGENTS; a++) {
      const body = JSON.stringify({
        agentId: `bench-${a}`,
        takenAt,
        cpuPercent: (a + round) % 100,
        memoryUsedBytes: 1e9,
        memoryTotalBytes: 4e9,
        load: [1, 1, 1],
        diskUsedBytes: 5e9,
        diskTotalBytes: 1e10,
        uptimeSeconds: round,
      });
      const p = js.publish(`fleet.telemetry.bench-${a}`, body).then(() => inFlight.delete(p));
      inFlight.add(p);
      sent++;
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  const published = performance.now();
  let stored = 0;
  for (;;) {
    stored = (await runSql(databaseUrl, 'SELECT count(*)::int AS n FROM telemetry_samples_raw')).rows[0].n;
    if (stored >= sent || performance.now() - published > 120_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const done = performance.now();
  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  // ingest lag p99 from the histogram's cumulative buckets: the first bucket holding 99 %.
  const buckets = [...metrics.matchAll(/^fleetplane_telemetry_ingest_lag_seconds_bucket\{le="([^"]+)"[^}]*\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]);
  const total = buckets.at(-1)?.[1] ?? 0;
  const lagP99 = buckets.find(([, n]) => n >= 0.99 * total)?.[0];
  const rollup = (await runSql(databaseUrl, 'SELECT sum(samples)::int AS n FROM telemetry_rollup_1m')).rows[0].n;
  console.log(
    `ingest: ${sent} samples from ${AGENTS} agents published in ${((published - t0) / 1000).toFixed(1)} s, all stored after ${((done - t0) / 1000).toFixed(1)} s`,
  );
  console.log(`  stored ${stored} raw rows, ${rollup} in the 1 m rollup (lost: ${sent - stored})`);
  console.log(
    `  ${Math.round(sent / ((done - t0) / 1000))} samples/s end to end; ingest lag p99 ≤ ${lagP99} s (the histogram bucket holding the 99th percentile; lag from the sample's stamp to its batch's commit)`,
  );

  const client = await createGrpcClient('telemetry', `127.0.0.1:${grpcPort}`, 'TelemetryHistoryService');
  for (const [label, rangeMs] of [
    ['24 h (1m)', 86_400_000],
    ['30 d (1h)', 30 * 86_400_000],
  ]) {
    const times = [];
    for (let i = 0; i < QUERIES; i++) {
      const t = performance.now();
      await unary(client, 'getHistory', {
        agentId: `bench-${i % AGENTS}`,
        from: new Date(Date.now() - rangeMs).toISOString(),
        metrics: ['cpu_percent', 'memory_percent'],
      });
      times.push(performance.now() - t);
    }
    console.log(`history ${label}: p50 ${pct(times, 50).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms over ${QUERIES} queries`);
  }
  client.close();
  await nc.close();
  console.log(`load average at the end: ${loadavg()}`);
} finally {
  await service?.stop();
  await infra.stop();
}
