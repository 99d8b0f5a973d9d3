import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnProcess, startRedis, type ManagedProcess, type ServerHandle, SERVICE_NODE_ARGS } from '@fleetplane/test-harness';
import type { AuditView } from '../audit/audit.service.js';
import type { TokenPair } from '../auth/token-issuer.js';
import { appDir, callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import type { TileJobView } from './tile-job-view.js';
import type { TileJobResult, TileStatsView } from './tiles.schemas.js';

// The built gateway in front of the real, built tile-worker (its own process, on the stack's
// Redis under its own key prefix): REST → gRPC → BullMQ → worker threads and back. Every answer
// is held against the gateway's OpenAPI document by callGateway.

const ADMIN = { email: 'tiles-admin@example.com', password: 'tiles-admin-password-1234' };
const VIEWER = { email: 'tiles-viewer@example.com', password: 'tiles-viewer-password-1234' };
const tileWorkerDir = join(appDir, '../tile-worker');

let stack: GatewayStack;
let tileWorker: ManagedProcess;
let tileRedis: ServerHandle;
let admin: string;
let viewer: string;

const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, method, path, opts);
const login = async (who: { email: string; password: string }) => (await call<TokenPair>('POST', '/api/v1/auth/login', { body: who })).body.accessToken;

/** Per site: sample count, peak and total cpu, sorted by site. */
const perSite = {
  version: 1,
  tiles: [
    { id: 'samples', kind: 'records', schema: { site: 'string', cpu: 'number' } },
    {
      id: 'bySite',
      kind: 'groupBy',
      input: 'samples',
      keys: ['site'],
      aggregates: { n: { op: 'count' }, peak: { op: 'max', expr: 'cpu' }, total: { op: 'sum', expr: 'cpu' } },
    },
    { id: 'ranked', kind: 'sort', input: 'bySite', by: [{ field: 'site' }] },
    { id: 'out', kind: 'sink', input: 'ranked' },
  ],
};
const rows = Array.from({ length: 600 }, (_, i) => ({ site: ['eu', 'us', 'ap'][i % 3] as string, cpu: i % 97 }));
const expected = ['ap', 'eu', 'us'].map((site) => {
  const mine = rows.filter((r) => r.site === site);
  return { site, n: mine.length, peak: Math.max(...mine.map((r) => r.cpu)), total: mine.reduce((a, r) => a + r.cpu, 0) };
});

async function finished(id: string, query = ''): Promise<TileJobResult> {
  const until = Date.now() + 30_000;
  for (;;) {
    const res = await call<TileJobResult>('GET', `/api/v1/tiles/jobs/${id}${query}`, { token: viewer });
    expect(res.status, res.text).toBe(200);
    if (!['QUEUED', 'RUNNING'].includes(res.body.job.state)) return res.body;
    if (Date.now() > until) throw new Error(`job ${id} still ${res.body.job.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  tileRedis = await startRedis();
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  tileWorker = spawnProcess('tile-worker', process.execPath, [...SERVICE_NODE_ARGS], {
    cwd: tileWorkerDir,
    env: { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), REDIS_URL: tileRedis.url, MAX_WORKERS: '2', MIN_POOL_ROWS: '0' },
  });
  await tileWorker.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 60_000);
  // The stack's canned tiles peer stays unused: the gateway is pointed at the real tile-worker.
  stack = await startGatewayStack({ admin: ADMIN, env: { LOGIN_RATE_LIMIT: '1000', TILES_GRPC_URL: `127.0.0.1:${grpcPort}` } });
  admin = await login(ADMIN);
  expect((await call('POST', '/api/v1/users', { token: admin, body: { ...VIEWER, role: 'viewer' } })).status).toBe(201);
  viewer = await login(VIEWER);
});

afterAll(async () => {
  await stack?.stop();
  await tileWorker?.stop();
  await tileRedis?.stop();
});

describe('tile jobs through the gateway and the real tile-worker', () => {
  it('runs a job an operator submits (202) to COMPLETED, results paged by cursor for a viewer, and answers the repeat from the cache', async () => {
    const submitted = await call<TileJobView>('POST', '/api/v1/tiles/jobs', {
      token: admin,
      body: { program: perSite, sources: [{ tileId: 'samples', rows }] },
    });
    expect(submitted.status, submitted.text).toBe(202);
    expect(submitted.body).toMatchObject({ state: 'QUEUED', sinks: ['out'], startedAt: null });
    const first = await finished(submitted.body.id, '?resultLimit=2');
    expect(first.job.state).toBe('COMPLETED');
    expect(first.job.stats).toMatchObject({ rowsIn: 600, rowsOut: 3, partitions: 2, cache: 'none' });
    expect(first.results).toEqual([{ sinkId: 'out', rows: expected.slice(0, 2), totalRows: 3, offset: 0 }]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await call<TileJobResult>('GET', `/api/v1/tiles/jobs/${submitted.body.id}?resultLimit=2&cursor=${first.nextCursor}`, { token: viewer });
    expect(second.body.results).toEqual([{ sinkId: 'out', rows: expected.slice(2), totalRows: 3, offset: 2 }]);
    expect(second.body.nextCursor).toBeNull();

    const again = await call<TileJobView>('POST', '/api/v1/tiles/jobs', { token: admin, body: { program: perSite, sources: [{ tileId: 'samples', rows }] } });
    const repeat = await finished(again.body.id);
    expect(repeat.job.stats.cache).toBe('memory');
    expect(repeat.results[0]?.rows).toEqual(expected);
    const stats = await call<TileStatsView>('GET', '/api/v1/tiles/stats', { token: viewer });
    expect(stats.status, stats.text).toBe(200);
    expect(stats.body.cache.memory.hits).toBeGreaterThanOrEqual(1);
    expect(stats.body.pool.maxWorkers).toBe(2);

    const audit = await call<{ entries: AuditView[] }>('GET', `/api/v1/audit?target=${submitted.body.id}`, { token: admin });
    expect(audit.body.entries.some((e) => e.target === submitted.body.id && e.outcome === 'success')).toBe(true);
  });

  it("runs tile-worker's ready-made p95-per-site program over inline samples", async () => {
    const p95 = JSON.parse(readFileSync(join(tileWorkerDir, 'programs/p95-cpu-per-site.json'), 'utf8')) as unknown;
    // eu: 95 samples at 30 % and 5 at 90 % → p95 bucket 30; us: 90 at 10 % and 10 at 70 % → 70.
    const samples = [
      ...Array.from({ length: 95 }, () => ({ site: 'eu', cpu: 30 })),
      ...Array.from({ length: 5 }, () => ({ site: 'eu', cpu: 90 })),
      ...Array.from({ length: 90 }, () => ({ site: 'us', cpu: 10 })),
      ...Array.from({ length: 10 }, () => ({ site: 'us', cpu: 70 })),
    ];
    const job = await call<TileJobView>('POST', '/api/v1/tiles/jobs', {
      token: admin,
      body: { program: p95, sources: [{ tileId: 'samples', rows: samples }] },
    });
    expect(job.status, job.text).toBe(202);
    const done = await finished(job.body.id);
    expect(done.results[0]?.rows).toEqual([
      { site: 'eu', samples: 100, meanCpu: 33, p95Cpu: 30 },
      { site: 'us', samples: 100, meanCpu: 16, p95Cpu: 70 },
    ]);
  });

  it("answers a bad program with 400 carrying the compiler's message, naming the tile and the field", async () => {
    const bad = { ...perSite, tiles: perSite.tiles.map((t) => (t.id === 'bySite' ? { ...t, aggregates: { peak: { op: 'max', expr: 'cpuu' } } } : t)) };
    const res = await call<{ field: string; message: string }>('POST', '/api/v1/tiles/jobs', {
      token: admin,
      body: { program: bad, sources: [{ tileId: 'samples', rows }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('program');
    expect(res.body.message).toMatch(/^program: tile "bySite", field "peak": /);
    const rowsOff = await call<{ field: string; message: string }>('POST', '/api/v1/tiles/jobs', {
      token: admin,
      body: { program: perSite, sources: [{ tileId: 'samples', rows: [{ site: 'eu', cpu: 'hot' }] }] },
    });
    expect(rowsOff.body).toMatchObject({ field: 'sources.0.rows', message: 'sources.0.rows: tile "samples", field "cpu": row 0: expected number' });
    const shape = await call<{ field: string }>('POST', '/api/v1/tiles/jobs', { token: admin, body: { program: perSite, sources: [{ tileId: 'samples' }] } });
    expect(shape.status).toBe(400);
    expect(shape.body.field).toBe('sources.0.rows');
  });

  it("takes a telemetry binding in the body, and answers tile-worker's refusal of one with 400 naming the body's field", async () => {
    const telemetry = (q: Record<string, unknown>) => ({ program: perSite, sources: [{ tileId: 'samples', telemetry: { agents: { all: true }, ...q } }] });
    const when = await call<{ field: string; message: string }>('POST', '/api/v1/tiles/jobs', { token: admin, body: telemetry({ from: 'yesterday' }) });
    expect(when.status, when.text).toBe(400);
    expect(when.body.field).toBe('sources.0.telemetry.from');
    expect(when.body.message).toMatch(/^sources\.0\.telemetry\.from: must be an RFC 3339/);
    const metric = await call<{ field: string }>('POST', '/api/v1/tiles/jobs', { token: admin, body: telemetry({ metrics: ['disk'] }) });
    expect(metric.body.field).toBe('sources.0.telemetry.metrics');
    const resolution = await call<{ field: string }>('POST', '/api/v1/tiles/jobs', { token: admin, body: telemetry({ resolution: '5m' }) });
    expect(resolution.status).toBe(400);
    expect(resolution.body.field).toBe('sources.0.telemetry.resolution');
    const both = await call<{ field: string }>('POST', '/api/v1/tiles/jobs', {
      token: admin,
      body: { program: perSite, sources: [{ tileId: 'samples', rows, telemetry: { agents: { all: true } } }] },
    });
    expect(both.status).toBe(400);
  });

  it('lets a viewer read and explain but not submit or cancel (403)', async () => {
    expect((await call('POST', '/api/v1/tiles/jobs', { token: viewer, body: { program: perSite } })).status).toBe(403);
    const explained = await call<{ plan: string; stages: number }>('POST', '/api/v1/tiles/explain', {
      token: viewer,
      body: { program: perSite, sourceRows: { samples: 1000000 } },
    });
    expect(explained.status, explained.text).toBe(200);
    expect(explained.body.plan).toMatch(/^TILE PLAN/);
    expect(explained.body.plan).toContain('est rows in 1.0M');
    expect((await call('POST', `/api/v1/tiles/jobs/${crypto.randomUUID()}/cancel`, { token: viewer })).status).toBe(403);
  });

  it('cancels: 404 for an unknown job, 409 for a finished one', async () => {
    const unknown = await call('POST', `/api/v1/tiles/jobs/${crypto.randomUUID()}/cancel`, { token: admin });
    expect(unknown.status).toBe(404);
    const job = await call<TileJobView>('POST', '/api/v1/tiles/jobs', {
      token: admin,
      body: { program: perSite, sources: [{ tileId: 'samples', rows: rows.slice(0, 9) }] },
    });
    await finished(job.body.id);
    const late = await call<{ message: string }>('POST', `/api/v1/tiles/jobs/${job.body.id}/cancel`, { token: admin });
    expect(late.status).toBe(409);
    expect(late.body.message).toBe(`job ${job.body.id} is COMPLETED; only QUEUED or RUNNING jobs can be cancelled`);
    expect((await call('GET', '/api/v1/tiles/jobs/not-a-uuid', { token: viewer })).status).toBe(400);
  });

  it('answers 503 while tile-worker is down, and the rest of the API keeps working', async () => {
    await tileWorker.stop();
    const res = await call<{ message: string }>('GET', '/api/v1/tiles/stats', { token: viewer });
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('tile-worker service is unavailable');
    expect((await call('GET', '/api/v1/commands/cmd-done', { token: viewer })).status).toBe(200);
  });
});
