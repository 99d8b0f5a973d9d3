// Issue #7's "no sample lost while a dependency is away" at its own length: PostgreSQL (or
// Redis) stopped for `--minutes` (default 10) while `--agents` agents keep reporting once a
// second, with the service's default retry settings (500 ms doubling to 30 s, no delivery limit)
// — what CI's ingest-outage test does in 12 s with a short retry delay. Then the server is started
// again on the same data, and the bench counts the raw rows and both rollups against what it
// published, and how long the backlog took to drain.
//
//   pnpm turbo run build --filter=@fleetplane/telemetry... && node bench/telemetry-outage.mjs [--minutes 10] [--agents 100] [--dependency postgres|redis]
//
// Loopback only; the servers are the test harness's.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { streams, subjects } from '../packages/contracts/dist/index.js';
import { runSql, startNats, startPostgres, startRedis } from '../packages/test-harness/dist/index.js';
import { metricValue, startTelemetry, telemetryDatabase, testSample as sample } from '../apps/telemetry/dist/testing/telemetry-process.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    agents: { type: 'string', default: '100' },
    dependency: { type: 'string', default: 'postgres' },
  },
});
const OUTAGE_MS = Number(values.minutes) * 60_000;
const AGENTS = Number(values.agents);
const DEPENDENCY = values.dependency;
if (DEPENDENCY !== 'postgres' && DEPENDENCY !== 'redis') throw new Error('--dependency: postgres or redis');

const log = (msg) => console.log(`${new Date().toISOString().slice(11, 19)} ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const workDir = mkdtempSync(join(tmpdir(), 'telemetry-outage-'));
chmodSync(workDir, 0o755); // initdb and postgres run as the postgres user
let [nats, redis, postgres] = await Promise.all([startNats(), startRedis(), startPostgres({ dataDir: join(workDir, 'pg') })]);
let service;
let nc;
try {
  const databaseUrl = await telemetryDatabase(postgres);
  service = await startTelemetry({ DATABASE_URL: databaseUrl, NATS_URL: nats.url, REDIS_URL: redis.url, LOG_LEVEL: 'warn' });
  nc = await connect({ servers: nats.url });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  let published = 0;
  // Samples are stamped an hour back and a second apart per round, so every round is new data.
  let clockMs = Date.now() - 3_600_000;
  let publishing = true;
  const publisher = (async () => {
    while (publishing) {
      clockMs += 1_000;
      await Promise.all(
        Array.from({ length: AGENTS }, (_, i) =>
          js.publish(subjects.telemetry(`agent-${i}`), JSON.stringify(sample(`agent-${i}`, clockMs, (clockMs / 1000) % 100))),
        ),
      );
      published += AGENTS;
      await sleep(1_000);
    }
  })();
  const count = async (table) =>
    (await runSql(databaseUrl, `SELECT coalesce(sum(${table === 'telemetry_samples_raw' ? '1' : 'samples'}), 0)::int AS n FROM ${table}`)).rows[0].n;
  const pending = async () => {
    const info = await jsm.consumers.info(streams.telemetry.name, 'telemetry');
    return info.num_pending + info.num_ack_pending;
  };

  await sleep(10_000);
  log(`${published} samples published before the outage`);
  const failuresBefore = metricValue(await service.metrics(), 'fleetplane_telemetry_ingest_batch_failures_total');
  const port = DEPENDENCY === 'postgres' ? postgres.port : redis.port;
  await (DEPENDENCY === 'postgres' ? postgres : redis).stop();
  log(`${DEPENDENCY} stopped for ${values.minutes} min`);
  let maxPending = 0;
  for (const end = Date.now() + OUTAGE_MS; Date.now() < end;) {
    await sleep(Math.min(60_000, end - Date.now()));
    maxPending = Math.max(maxPending, await pending());
    log(`  ${published} published, ${maxPending} held by JetStream`);
  }
  const failures = metricValue(await service.metrics(), 'fleetplane_telemetry_ingest_batch_failures_total') - failuresBefore;
  if (DEPENDENCY === 'postgres') postgres = await startPostgres({ dataDir: join(workDir, 'pg'), port });
  else redis = await startRedis({ port });
  const restartedAt = Date.now();
  log(`${DEPENDENCY} started again; ${failures} batch attempts failed during the outage`);
  await sleep(5_000);
  publishing = false;
  await publisher;
  let raw = 0;
  while ((raw = await count('telemetry_samples_raw')) < published && Date.now() - restartedAt < 15 * 60_000) await sleep(1_000);
  const drainedS = ((Date.now() - restartedAt) / 1000).toFixed(1);
  while ((await pending()) > 0 && Date.now() - restartedAt < 15 * 60_000) await sleep(500);
  const [m1, h1] = [await count('telemetry_rollup_1m'), await count('telemetry_rollup_1h')];
  console.log(`\n| ${DEPENDENCY} away | samples published | raw rows | counted in 1 m rollup | counted in 1 h rollup | lost | backlog stored after restart |`);
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| ${values.minutes} min | ${published} | ${raw} | ${m1} | ${h1} | ${published - raw} | ${drainedS} s (${maxPending} held at most) |`);
} finally {
  await nc?.close();
  await service?.process.stop();
  await Promise.all([nats?.stop(), redis?.stop(), postgres?.stop()]);
  rmSync(workDir, { recursive: true, force: true });
}
