import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { deadLetterSchema, streams, subjects, type TelemetrySample } from '@fleetplane/contracts';
import { createGrpcClient, unary, telemetryV1 } from '@fleetplane/contracts/grpc';
import { HealthClient } from '@fleetplane/service-kit/grpc';
import { runSql, startInfra, type Infra } from '@fleetplane/test-harness';
import { eventually, metricValue, startTelemetry, telemetryDatabase, type TelemetryProcess } from '../testing/telemetry-process.js';

const TELEMETRY_SERVICE = 'fleetplane.telemetry.v1.TelemetryService';
const minuteAgo = (n: number, plusSeconds = 0) => {
  const t = new Date(Date.now() - n * 60_000);
  t.setUTCSeconds(plusSeconds, 0);
  return t.toISOString();
};

const sample = (agentId: string, takenAt: string, cpuPercent: number, extra: Partial<TelemetrySample> = {}): TelemetrySample => ({
  agentId,
  takenAt,
  cpuPercent,
  memoryUsedBytes: 1e9,
  memoryTotalBytes: 4e9,
  load: [0.5, 0.4, 0.3],
  diskUsedBytes: 10e9,
  diskTotalBytes: 100e9,
  uptimeSeconds: 1234,
  ...extra,
});

describe('telemetry service', () => {
  let infra: Infra;
  let databaseUrl: string;
  let service: TelemetryProcess;
  let nc: NatsConnection;
  let client: Awaited<ReturnType<typeof createGrpcClient>>;
  let health: HealthClient;

  beforeAll(async () => {
    infra = await startInfra();
    databaseUrl = await telemetryDatabase(infra.postgres);
    service = await startTelemetry({ DATABASE_URL: databaseUrl, NATS_URL: infra.nats.url, REDIS_URL: infra.redis.url, INGEST_BATCH_LINGER_MS: '20' });
    nc = await connect({ servers: infra.nats.url });
    client = await createGrpcClient('telemetry', `127.0.0.1:${service.grpcPort}`);
    health = new HealthClient(`127.0.0.1:${service.grpcPort}`);
  });

  afterAll(async () => {
    health?.close();
    client?.close();
    await nc?.close();
    await service?.process.stop();
    await infra?.stop();
  });

  const latest = (agentId: string) => unary<telemetryV1.GetLatestSampleResponse>(client, 'getLatestSample', { agentId });
  const publish = (s: TelemetrySample | string, agentId = typeof s === 'string' ? 'x' : s.agentId) =>
    jetstream(nc).publish(subjects.telemetry(agentId), typeof s === 'string' ? s : JSON.stringify(s));
  const sql = async <T>(text: string, values: unknown[] = []) => (await runSql(databaseUrl, text, values)).rows as T[];

  it('answers grpc.health.v1 Check with SERVING for the server and for TelemetryService', async () => {
    expect(await health.check('')).toBe('SERVING');
    expect(await health.check(TELEMETRY_SERVICE)).toBe('SERVING');
  });

  it('creates the history partitions at start-up: raw and 1 m by day over their retention and two days ahead, 1 h by 30 days', async () => {
    const rows = await sql<{ parent: string; n: number }>(
      `SELECT p.relname AS parent, count(*)::int AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent GROUP BY 1`,
    );
    const n = Object.fromEntries(rows.map((r) => [r.parent, r.n]));
    // 7 d back to 2 d ahead: the day holding now-7d through the day holding now+2d.
    expect(n.telemetry_samples_raw).toBe(10);
    expect(n.telemetry_rollup_1m).toBe(33);
    expect(n.telemetry_rollup_1h).toBeGreaterThanOrEqual(14);
    expect(n.telemetry_rollup_1h).toBeLessThanOrEqual(15);
  });

  it('answers NOT_FOUND for an agent that sent nothing, INVALID_ARGUMENT for an id that is not an agent id', async () => {
    await expect(latest('nobody')).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(latest('a.b')).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('stores samples as raw rows and 1 m / 1 h rollups (avg, min, max, last), and the newest in Redis', async () => {
    await publish(sample('web-1', minuteAgo(3, 10), 20));
    await publish(sample('web-1', minuteAgo(3, 40), 60));
    await publish(sample('web-1', minuteAgo(3, 20), 40));
    await eventually(async () =>
      expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_samples_raw WHERE agent_id = 'web-1'`))[0]!.n).toBe(3),
    );
    const [m] = await sql<Record<string, number>>(
      `SELECT samples, cpu_percent_sum / cpu_percent_count AS avg, cpu_percent_min AS min, cpu_percent_max AS max, cpu_percent_last AS last, memory_percent_last AS mem
       FROM telemetry_rollup_1m WHERE agent_id = 'web-1'`,
    );
    // last is the value of the newest sample (:40), not of the last one to arrive (:20).
    expect(m).toEqual({ samples: 3, avg: 40, min: 20, max: 60, last: 60, mem: 25 });
    const [h] = await sql<Record<string, number>>(`SELECT samples, cpu_percent_max AS max FROM telemetry_rollup_1h WHERE agent_id = 'web-1'`);
    expect(h).toMatchObject({ samples: 3, max: 60 });
    const res = await eventually(() => latest('web-1'));
    expect(res.sample).toMatchObject({ agentId: 'web-1', cpuPercent: 60, load1: 0.5, load15: 0.3, takenAt: minuteAgo(3, 40) });
  });

  it('counts a redelivered sample once: the raw row conflicts, the rollups do not grow', async () => {
    const s = sample('web-2', minuteAgo(2, 5), 70);
    await publish(s);
    await eventually(async () => expect(await sql(`SELECT 1 FROM telemetry_samples_raw WHERE agent_id = 'web-2'`)).toHaveLength(1));
    await publish(s);
    // A marker published after the duplicate proves the duplicate was processed.
    await publish(sample('web-3', minuteAgo(2, 6), 1));
    await eventually(async () => expect(await sql(`SELECT 1 FROM telemetry_samples_raw WHERE agent_id = 'web-3'`)).toHaveLength(1));
    expect(await sql(`SELECT samples, cpu_percent_sum AS sum FROM telemetry_rollup_1m WHERE agent_id = 'web-2'`)).toEqual([{ samples: 1, sum: 70 }]);
    expect(metricValue(await service.metrics(), 'fleetplane_telemetry_samples_ingested_total', { outcome: 'duplicate' })).toBeGreaterThanOrEqual(1);
  });

  it('keeps the richer fields: metrics from mounts, interfaces, containers and units as columns, the rest as detail', async () => {
    await publish(
      sample('web-5', minuteAgo(1, 0), 5, {
        mounts: [
          { mount: '/', usedBytes: 50, totalBytes: 100 },
          { mount: '/var', usedBytes: 90, totalBytes: 100 },
        ],
        interfaces: [
          { name: 'eth0', rxBytes: 1000, txBytes: 2000, rxBytesPerSecond: 10, txBytesPerSecond: 20 },
          { name: 'eth1', rxBytes: 1000, txBytes: 2000, rxBytesPerSecond: 5, txBytesPerSecond: 1 },
        ],
        containers: { engine: 'docker', total: 3, running: 2, unhealthy: 1, restarting: 0 },
        failedUnits: ['nginx.service'],
        swapUsedBytes: 1,
        swapTotalBytes: 4,
      }),
    );
    const [row] = await eventually(async () => {
      const rows = await sql<Record<string, unknown>>(
        `SELECT disk_percent, net_rx_bytes_per_second AS rx, net_tx_bytes_per_second AS tx, containers_unhealthy, failed_units, swap_percent, detail FROM telemetry_samples_raw WHERE agent_id = 'web-5'`,
      );
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(row).toMatchObject({ disk_percent: 90, rx: 15, tx: 21, containers_unhealthy: 1, failed_units: 1, swap_percent: 25 });
    expect(row!.detail).toMatchObject({ failedUnits: ['nginx.service'], memoryTotalBytes: 4e9, mounts: [{ mount: '/' }, { mount: '/var' }] });
  });

  it('sends poison to the dead-letter stream with its reason, counts it, and keeps going', async () => {
    await publish('not json', 'web-4');
    await publish(JSON.stringify({ agentId: 'web-4', cpuPercent: 'high' }), 'web-4');
    await publish(sample('web-4', new Date(Date.now() - 30 * 86_400_000).toISOString(), 1));
    await publish(sample('web-4', minuteAgo(1), 5));
    await eventually(async () => expect((await latest('web-4')).sample?.cpuPercent).toBe(5));
    const jsm = await jetstreamManager(nc);
    await eventually(async () => expect((await jsm.streams.info(streams.deadLetter.name)).state.messages).toBe(3));
    const reasons: string[] = [];
    for (let seq = 1; seq <= 3; seq++) {
      const m = await jsm.streams.getMessage(streams.deadLetter.name, { seq });
      const letter = deadLetterSchema.parse(m!.json());
      expect(letter).toMatchObject({ stream: 'TELEMETRY', subject: 'fleet.telemetry.web-4' });
      reasons.push(letter.reason.split(':')[0]!);
    }
    expect(reasons.sort()).toEqual(['invalid_sample', 'not_json', 'past_retention']);
    await eventually(async () => expect((await jsm.consumers.info(streams.telemetry.name, 'telemetry')).num_ack_pending).toBe(0));
    const metrics = await service.metrics();
    expect(metricValue(metrics, 'fleetplane_telemetry_dead_letters_total', { reason: 'not_json' })).toBe(1);
    expect(metricValue(metrics, 'fleetplane_telemetry_samples_ingested_total', { outcome: 'dead_lettered' })).toBe(3);
    expect((await fetch(`http://127.0.0.1:${service.httpPort}/ready`)).status).toBe(200);
  });

  it('consumes through the durable consumer `telemetry`, which never gives a sample up (max_deliver -1)', async () => {
    const info = await (await jetstreamManager(nc)).consumers.info(streams.telemetry.name, 'telemetry');
    expect(info.config).toMatchObject({ durable_name: 'telemetry', max_deliver: -1 });
  });

  it('reports batch sizes, ingest lag, consumer backlog and partitions under fleetplane_telemetry_', async () => {
    const metrics = await eventually(async () => {
      const text = await service.metrics();
      expect(text).toMatch(/^fleetplane_telemetry_consumer_pending\{kind="pending"[^}]*\} /m);
      return text;
    });
    expect(metricValue(metrics, 'fleetplane_telemetry_samples_ingested_total', { outcome: 'stored' })).toBeGreaterThanOrEqual(7);
    expect(metricValue(metrics, 'fleetplane_telemetry_ingest_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics, 'fleetplane_telemetry_ingest_lag_seconds_count')).toBeGreaterThanOrEqual(7);
    expect(metricValue(metrics, 'fleetplane_telemetry_partitions_changed_total', { change: 'created' })).toBeGreaterThanOrEqual(57);
  });

  it('serves gRPC server reflection, so grpcurl and friends can discover the API', async () => {
    const protoPath = createRequire(import.meta.url).resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
    const pkg = grpc.loadPackageDefinition(await protoLoader.load(protoPath)) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
    };
    const reflection = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${service.grpcPort}`, grpc.credentials.createInsecure());
    type ReflectionResponse = { listServicesResponse?: { service: { name: string }[] } };
    const names = await new Promise<string[]>((resolve, reject) => {
      const call = (reflection as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, ReflectionResponse> }).ServerReflectionInfo();
      // ClientDuplexStream types its 'data' listener's chunk as any; it is a ReflectionResponse.
      call.on('data', (res: ReflectionResponse) => {
        resolve((res.listServicesResponse?.service ?? []).map((s) => s.name));
        call.end();
      });
      call.on('error', reject);
      call.write({ listServices: '' });
    });
    reflection.close();
    expect(names).toContain('fleetplane.telemetry.v1.TelemetryService');
  });

  it('reports the failing dependency on /ready and gRPC health when Redis goes away, and answers UNAVAILABLE', async () => {
    const watch = health.watch(TELEMETRY_SERVICE);
    try {
      await watch.until('SERVING');
      await infra.redis.stop();
      const res = await fetch(`http://127.0.0.1:${service.httpPort}/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { failing: string[] };
      expect(body.failing.join(' ')).toMatch(/^redis:/);
      await watch.until('NOT_SERVING', 5_000);
      expect(await health.check('')).toBe('NOT_SERVING');
      await expect(latest('web-1')).rejects.toMatchObject({ code: status.UNAVAILABLE });
    } finally {
      watch.stop();
    }
  });
});
