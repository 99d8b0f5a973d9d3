import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { streams, subjects } from '@fleetplane/contracts';
import { createGrpcClient, unary, type telemetryV1 } from '@fleetplane/contracts/grpc';
import { runSql, startNats, startPostgres, startRedis, type PostgresHandle, type ServerHandle } from '@fleetplane/test-harness';
import { eventually, metricValue, startTelemetry, telemetryDatabase, testSample, type TelemetryProcess } from '../testing/telemetry-process.js';

// No sample lost while a dependency is away (issue #7). The real PostgreSQL and Redis servers
// are stopped mid-ingest and started again on the same port and data. The retry delay is
// configured short (100 ms doubling to 500 ms) so that a 12 s outage puts every held sample
// through more than 20 deliveries, the limit (max_deliver 20) that lost data before: what a
// 10-minute outage does with the defaults (500 ms doubling to 30 s) is the same, only slower,
// because the consumer has no max_deliver at all.
const RETRY_MAX_MS = 500;
const OUTAGE_MS = 12_000;
const AGENTS = 20;

describe('ingest across a PostgreSQL or Redis outage', () => {
  let nats: ServerHandle;
  let redis: ServerHandle;
  let postgres: PostgresHandle;
  let workDir: string;
  let databaseUrl: string;
  let service: TelemetryProcess;
  let nc: NatsConnection;
  let client: Awaited<ReturnType<typeof createGrpcClient>>;
  /** Every sample published so far, as "agent@ms". */
  let published = 0;
  let clockMs = Date.now() - 3_600_000;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'telemetry-outage-'));
    // initdb and postgres run as the postgres user, which must traverse this dir.
    chmodSync(workDir, 0o755);
    [nats, redis, postgres] = await Promise.all([startNats(), startRedis(), startPostgres({ dataDir: join(workDir, 'pg') })]);
    databaseUrl = await telemetryDatabase(postgres);
    service = await startTelemetry({
      DATABASE_URL: databaseUrl,
      NATS_URL: nats.url,
      REDIS_URL: redis.url,
      INGEST_BATCH_LINGER_MS: '20',
      INGEST_RETRY_MIN_MS: '100',
      INGEST_RETRY_MAX_MS: String(RETRY_MAX_MS),
      INGEST_ACK_WAIT_MS: '5000',
    });
    nc = await connect({ servers: nats.url });
    client = await createGrpcClient('telemetry', `127.0.0.1:${service.grpcPort}`);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await nc?.close();
    await service?.process.stop();
    await Promise.all([nats?.stop(), redis?.stop(), postgres?.stop()]);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  /** One sample per agent, each a second after the previous round; returns when JetStream has them all. */
  async function publishRound(): Promise<void> {
    clockMs += 1_000;
    const js = jetstream(nc);
    await Promise.all(
      Array.from({ length: AGENTS }, (_, i) =>
        js.publish(subjects.telemetry(`agent-${i}`), JSON.stringify(testSample(`agent-${i}`, clockMs, (clockMs / 1000) % 100))),
      ),
    );
    published += AGENTS;
  }

  /** Publishes rounds every 50 ms until `stop` resolves. */
  async function publishUntil(stop: Promise<unknown>): Promise<void> {
    let done = false;
    void stop.finally(() => (done = true));
    while (!done) {
      await publishRound();
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const count = async (table: string) =>
    (
      (await runSql(databaseUrl, `SELECT coalesce(sum(${table === 'telemetry_samples_raw' ? '1' : 'samples'}), 0)::int AS n FROM ${table}`)).rows[0] as {
        n: number;
      }
    ).n;
  const ready = async () => (await fetch(`http://127.0.0.1:${service.httpPort}/ready`)).json() as Promise<{ failing?: string[] }>;

  it('holds every sample in JetStream while PostgreSQL is down, retrying past the old 20-delivery limit, and stores them all once it is back', async () => {
    await publishUntil(new Promise((r) => setTimeout(r, 1_000)));
    const failuresBefore = metricValue(await service.metrics(), 'fleetplane_telemetry_ingest_batch_failures_total');
    await postgres.stop();
    const during = publishUntil(new Promise((r) => setTimeout(r, OUTAGE_MS)));
    await eventually(async () => expect((await ready()).failing?.join(' ')).toMatch(/postgres/));
    await during;
    const failures = metricValue(await service.metrics(), 'fleetplane_telemetry_ingest_batch_failures_total') - failuresBefore;
    // At one attempt per ≤ 500 ms, a held sample has been offered far more than 20 times by now.
    expect(failures).toBeGreaterThan(20);

    postgres = await startPostgres({ dataDir: join(workDir, 'pg'), port: postgres.port });
    await publishUntil(new Promise((r) => setTimeout(r, 1_000)));
    await eventually(async () => expect(await count('telemetry_samples_raw')).toBe(published), 60_000);
    // Each sample counted exactly once in each rollup, redeliveries notwithstanding.
    expect(await count('telemetry_rollup_1m')).toBe(published);
    expect(await count('telemetry_rollup_1h')).toBe(published);
    const jsm = await jetstreamManager(nc);
    await eventually(async () => expect((await jsm.consumers.info(streams.telemetry.name, 'telemetry')).num_ack_pending).toBe(0));
  }, 120_000);

  it('stores every sample while Redis is down, and brings each latest value up to date once it is back', async () => {
    const redisPort = redis.port;
    await redis.stop();
    const during = publishUntil(new Promise((r) => setTimeout(r, 5_000)));
    await eventually(async () => expect((await ready()).failing?.join(' ')).toMatch(/redis/));
    await during;
    redis = await startRedis({ port: redisPort });
    await eventually(async () => expect(await count('telemetry_samples_raw')).toBe(published), 60_000);
    // The restarted Redis is empty: the redelivered batches put the newest sample back.
    await eventually(async () => {
      const res = await unary<telemetryV1.GetLatestSampleResponse>(client, 'getLatestSample', { agentId: 'agent-0' });
      expect(res.sample?.takenAt).toBe(new Date(clockMs).toISOString());
    }, 30_000);
    expect(await count('telemetry_rollup_1m')).toBe(published);
  }, 120_000);
});
