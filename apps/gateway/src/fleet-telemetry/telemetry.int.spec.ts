import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects } from '@fleetplane/contracts';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, runSql, spawnProcess, startInfra, type Infra, type ManagedProcess, SERVICE_NODE_ARGS } from '@fleetplane/test-harness';
import type { TokenPair } from '../auth/token-issuer.js';
import { appDir, callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import type { LatestSampleView, TelemetryHistoryView, TelemetrySummaryView } from './telemetry.schemas.js';

// (Folder fleet-telemetry, not telemetry: the lint's app boundary reads `../telemetry/` as an import of the telemetry app.)
// The built gateway in front of the real, built telemetry service (its own process, with its
// own PostgreSQL, Redis and NATS): REST → gRPC → PostgreSQL / Redis and back. Samples go in the
// way the hub puts them, on JetStream. Every answer is held against the OpenAPI document.

const ADMIN = { email: 'telemetry-admin@example.com', password: 'telemetry-admin-password-1234' };
const VIEWER = { email: 'telemetry-viewer@example.com', password: 'telemetry-viewer-password-1234' };
const telemetryDir = join(appDir, '../telemetry');

let stack: GatewayStack;
let infra: Infra;
let telemetry: ManagedProcess;
let nc: NatsConnection;
let viewer: string;

const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, method, path, opts);
const login = async (who: { email: string; password: string }) => (await call<TokenPair>('POST', '/api/v1/auth/login', { body: who })).body.accessToken;
const get = <T>(path: string) => call<T>('GET', path, { token: viewer });

/** 30 samples, 10 s apart, from 20 minutes ago: cpu 0, 1, … 29. */
const BASE_MS = Math.floor((Date.now() - 20 * 60_000) / 60_000) * 60_000;
const SAMPLES = 30;

beforeAll(async () => {
  infra = await startInfra();
  const databaseUrl = await infra.postgres.createDatabase('telemetry');
  await deployMigrations({ schemaPath: join(telemetryDir, 'prisma/schema.prisma'), migrationsDir: join(telemetryDir, 'prisma/migrations'), databaseUrl });
  const [httpPort, grpcPort, nobody] = [await freePort(), await freePort(), await freePort()];
  telemetry = spawnProcess('telemetry', process.execPath, [...SERVICE_NODE_ARGS], {
    cwd: telemetryDir,
    // No agent-hub: a summary narrowed by site needs it, and must answer 503 without it.
    env: {
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      DATABASE_URL: databaseUrl,
      NATS_URL: infra.nats.url,
      REDIS_URL: infra.redis.url,
      AGENT_HUB_GRPC_URL: `127.0.0.1:${nobody}`,
    },
  });
  await telemetry.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 60_000);
  nc = await connect({ servers: infra.nats.url });
  for (let i = 0; i < SAMPLES; i++) {
    const sample = {
      agentId: 'tel-1',
      takenAt: new Date(BASE_MS + i * 10_000).toISOString(),
      cpuPercent: i,
      memoryUsedBytes: 1,
      memoryTotalBytes: 4,
      load: [1, 2, 3],
      diskUsedBytes: 1,
      diskTotalBytes: 2,
      uptimeSeconds: 9,
    };
    // A core publish on a stream subject is stored by JetStream as the hub's durable publish is.
    nc.publish(subjects.telemetry('tel-1'), JSON.stringify(sample));
  }
  await nc.flush();
  for (const until = Date.now() + 30_000; ;) {
    const { rows } = await runSql(databaseUrl, 'SELECT count(*)::int AS n FROM telemetry_samples_raw');
    if ((rows[0] as { n: number }).n === SAMPLES) break;
    if (Date.now() > until) throw new Error('samples not stored');
    await new Promise((r) => setTimeout(r, 100));
  }
  stack = await startGatewayStack({ admin: ADMIN, env: { LOGIN_RATE_LIMIT: '1000', TELEMETRY_GRPC_URL: `127.0.0.1:${grpcPort}` } });
  const admin = await login(ADMIN);
  expect((await call('POST', '/api/v1/users', { token: admin, body: { ...VIEWER, role: 'viewer' } })).status).toBe(201);
  viewer = await login(VIEWER);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await nc?.close();
  await telemetry?.stop();
  await infra?.stop();
});

describe('GET /api/v1/agents/{id}/telemetry/latest', () => {
  it('answers the newest sample to a viewer', async () => {
    const res = await get<LatestSampleView>('/api/v1/agents/tel-1/telemetry/latest');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      agentId: 'tel-1',
      cpuPercent: SAMPLES - 1,
      load: [1, 2, 3],
      takenAt: new Date(BASE_MS + (SAMPLES - 1) * 10_000).toISOString(),
    });
  });

  it('answers 404 for an agent without samples, 400 naming id for a malformed one, 401 without credentials', async () => {
    expect((await get('/api/v1/agents/ghost/telemetry/latest')).status).toBe(404);
    const bad = await get<{ field?: string }>('/api/v1/agents/a.b/telemetry/latest');
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id/);
    expect((await call('GET', '/api/v1/agents/tel-1/telemetry/latest')).status).toBe(401);
  });
});

describe('GET /api/v1/agents/{id}/telemetry', () => {
  it('answers the last hour as raw points by default, oldest first, every metric', async () => {
    const res = await get<TelemetryHistoryView>('/api/v1/agents/tel-1/telemetry');
    expect(res.status, res.text).toBe(200);
    expect(res.body.step).toBe('raw');
    expect(res.body.points).toHaveLength(SAMPLES);
    expect(res.body.points[5]!.values.cpu_percent).toEqual({ avg: 5, min: 5, max: 5, last: 5 });
    expect(res.body.points[5]!.values.memory_percent!.avg).toBe(25);
    expect(res.body.points[0]!.values.swap_percent).toEqual({ avg: null, min: null, max: null, last: null });
    expect(res.body.nextPageToken).toBeNull();
  });

  it('answers 1-minute rollups for step=1m and the metrics asked for', async () => {
    const from = new Date(BASE_MS).toISOString();
    const res = await get<TelemetryHistoryView>(`/api/v1/agents/tel-1/telemetry?step=1m&metrics=cpu_percent&from=${from}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.metrics).toEqual(['cpu_percent']);
    expect(res.body.points[0]).toEqual({ at: from, samples: 6, values: { cpu_percent: { avg: 2.5, min: 0, max: 5, last: 5 } } });
  });

  it('pages raw points with pageToken', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const res: Reply<TelemetryHistoryView> = await get<TelemetryHistoryView>(
        `/api/v1/agents/tel-1/telemetry?step=raw&pageSize=7${token ? `&pageToken=${token}` : ''}`,
      );
      expect(res.status, res.text).toBe(200);
      seen.push(...res.body.points.map((p) => p.at));
      token = res.body.nextPageToken;
    } while (token);
    expect(seen).toHaveLength(SAMPLES);
  });

  it('answers 400 naming the field: an unknown metric, a step, too many points', async () => {
    const metric = await get('/api/v1/agents/tel-1/telemetry?metrics=gpu');
    expect(metric.status).toBe(400);
    expect(metric.text).toMatch(/metrics/);
    expect((await get('/api/v1/agents/tel-1/telemetry?step=5m')).status).toBe(400);
    const month = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const tooMany = await get(`/api/v1/agents/tel-1/telemetry?step=1m&from=${month}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toMatch(/more than 2000/);
  });
});

describe('GET /api/v1/telemetry/summary', () => {
  it('answers agents reporting and CPU / memory / disk aggregates over the last minutes', async () => {
    const res = await get<TelemetrySummaryView>('/api/v1/telemetry/summary?minutes=60');
    expect(res.status, res.text).toBe(200);
    expect(res.body.agentsReporting).toBe(1);
    expect(res.body.metrics.cpu_percent).toMatchObject({ agents: 1, p50: 14.5, max: 14.5 });
    expect(res.body.metrics.memory_percent.avg).toBe(25);
  });

  it('answers 503 when the selection needs agent-hub and telemetry cannot reach it, 400 for a malformed label', async () => {
    expect((await get('/api/v1/telemetry/summary?site=lab')).status).toBe(503);
    expect((await get('/api/v1/telemetry/summary?label=nokey')).status).toBe(400);
  });
});
