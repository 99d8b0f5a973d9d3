import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { streams, subjects, type TelemetrySample } from '@fleetplane/contracts';
import { createGrpcClient, unary, telemetryV1 } from '@fleetplane/contracts/grpc';
import { HealthClient } from '@fleetplane/service-kit/grpc';
import { freePort, spawnProcess, startNats, startRedis, type ManagedProcess, type ServerHandle, SERVICE_NODE_ARGS } from '@fleetplane/test-harness';

const appDir = new URL('../..', import.meta.url).pathname;
const TELEMETRY_SERVICE = 'fleetplane.telemetry.v1.TelemetryService';

const sample = (agentId: string, takenAt: string, cpuPercent: number): TelemetrySample => ({
  agentId,
  takenAt,
  cpuPercent,
  memoryUsedBytes: 1e9,
  memoryTotalBytes: 4e9,
  load: [0.5, 0.4, 0.3],
  diskUsedBytes: 10e9,
  diskTotalBytes: 100e9,
  uptimeSeconds: 1234,
});

describe('telemetry service', () => {
  let nats: ServerHandle;
  let redis: ServerHandle;
  let service: ManagedProcess;
  let nc: NatsConnection;
  let client: Awaited<ReturnType<typeof createGrpcClient>>;
  let health: HealthClient;
  let httpPort: number;
  let grpcPort: number;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNats(), startRedis()]);
    httpPort = await freePort();
    grpcPort = await freePort();
    service = spawnProcess('telemetry', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: appDir,
      env: { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), NATS_URL: nats.url, REDIS_URL: redis.url, OTEL_SERVICE_NAME: 'telemetry' },
    });
    await service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`);
    nc = await connect({ servers: nats.url });
    client = await createGrpcClient('telemetry', `127.0.0.1:${grpcPort}`);
    health = new HealthClient(`127.0.0.1:${grpcPort}`);
  });

  afterAll(async () => {
    health?.close();
    client?.close();
    await nc?.close();
    await service?.stop();
    await Promise.all([nats?.stop(), redis?.stop()]);
  });

  const latest = (agentId: string) => unary<telemetryV1.GetLatestSampleResponse>(client, 'getLatestSample', { agentId });

  async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  it('answers grpc.health.v1 Check with SERVING for the server and for TelemetryService', async () => {
    expect(await health.check('')).toBe('SERVING');
    expect(await health.check(TELEMETRY_SERVICE)).toBe('SERVING');
  });

  it('answers NOT_FOUND for an agent that sent nothing', async () => {
    await expect(latest('nobody')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('answers INVALID_ARGUMENT for an id that is not an agent id', async () => {
    await expect(latest('a.b')).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('stores a sample from JetStream and serves it over gRPC', async () => {
    const js = jetstream(nc);
    await js.publish(subjects.telemetry('web-1'), JSON.stringify(sample('web-1', '2026-11-22T10:00:00.000Z', 42)));
    const res = await eventually(() => latest('web-1'));
    expect(res.sample).toMatchObject({ agentId: 'web-1', cpuPercent: 42, load1: 0.5, load15: 0.3, takenAt: '2026-11-22T10:00:00.000Z' });
  });

  it('keeps the newest sample when an older one arrives late', async () => {
    const js = jetstream(nc);
    await js.publish(subjects.telemetry('web-2'), JSON.stringify(sample('web-2', '2026-11-22T10:05:00.000Z', 70)));
    await eventually(async () => expect((await latest('web-2')).sample?.cpuPercent).toBe(70));
    await js.publish(subjects.telemetry('web-2'), JSON.stringify(sample('web-2', '2026-11-22T10:01:00.000Z', 10)));
    // A marker published after the stale one proves the stale one was processed.
    await js.publish(subjects.telemetry('web-3'), JSON.stringify(sample('web-3', '2026-11-22T10:06:00.000Z', 1)));
    await eventually(() => latest('web-3'));
    expect((await latest('web-2')).sample?.cpuPercent).toBe(70);
  });

  it('drops a malformed sample, acks it away and keeps serving', async () => {
    const js = jetstream(nc);
    await js.publish(subjects.telemetry('web-4'), 'not json');
    await js.publish(subjects.telemetry('web-4'), JSON.stringify({ agentId: 'web-4', cpuPercent: 'high' }));
    await js.publish(subjects.telemetry('web-4'), JSON.stringify(sample('web-4', '2026-11-22T10:07:00.000Z', 5)));
    await eventually(async () => expect((await latest('web-4')).sample?.cpuPercent).toBe(5));
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(streams.telemetry.name, 'telemetry');
    await eventually(async () => {
      const i = await jsm.consumers.info(streams.telemetry.name, 'telemetry');
      expect(i.num_ack_pending).toBe(0);
    });
    expect(info.config.durable_name).toBe('telemetry');
    const ready = await fetch(`http://127.0.0.1:${httpPort}/ready`);
    expect(ready.status).toBe(200);
  });

  it('counts ingested samples by outcome under fleetplane_telemetry_', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^fleetplane_telemetry_samples_ingested_total\{[^}]*outcome="stored"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^fleetplane_telemetry_samples_ingested_total\{[^}]*outcome="stale"[^}]*\} [1-9]/m);
  });

  it('serves gRPC server reflection, so grpcurl and friends can discover the API', async () => {
    const protoPath = createRequire(import.meta.url).resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
    const pkg = grpc.loadPackageDefinition(await protoLoader.load(protoPath)) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
    };
    const reflection = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
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
      await redis.stop();
      const res = await fetch(`http://127.0.0.1:${httpPort}/ready`);
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
