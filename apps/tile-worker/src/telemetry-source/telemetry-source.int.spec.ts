import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { subjects, type TelemetrySample } from '@fleetplane/contracts';
import { createGrpcClient, serveGrpc, tilesV1, unary, type agentHubV1 } from '@fleetplane/contracts/grpc';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, runSql, SERVICE_NODE_ARGS, spawnProcess, startInfra, type Infra, type ManagedProcess } from '@fleetplane/test-harness';

// The two ready-made programs over real telemetry: the built telemetry service (its own process,
// on real PostgreSQL and NATS) ingests samples published on JetStream as agent-hub publishes them;
// the built tile-worker (its own process, on real Redis) reads them through telemetry's
// StreamHistory. Sites come from a real gRPC server standing in for agent-hub's registry (its
// own tests cover SelectAgents). Results are checked against values computed here from the
// samples sent.

const appDir = new URL('../../', import.meta.url).pathname;
const telemetryDir = join(appDir, '../telemetry');
type Client = Awaited<ReturnType<typeof createGrpcClient>>;
const { JobState } = tilesV1;

const SITES: Record<string, string> = { 'eu-1': 'eu', 'eu-2': 'eu', 'us-1': 'us', 'us-2': 'us', 'ap-1': 'ap' };
const AGENTS = Object.keys(SITES);
/** Disk growth in %/h per agent: eu-2 and ap-1 grow faster than 1 %/h. */
const SLOPE: Record<string, number> = { 'eu-1': 0.25, 'eu-2': 2.5, 'us-1': 0, 'us-2': 0.9, 'ap-1': 4 };
const MINUTE = 60_000;
const NOW = Date.now();
/** One sample a minute for the last 50 minutes (in the last hour), and 30 two hours ago (outside it). */
const RECENT = Array.from({ length: 50 }, (_, i) => NOW - (50 - i) * MINUTE);
const OLD = Array.from({ length: 30 }, (_, i) => NOW - 150 * MINUTE + i * MINUTE);
const DISK_TOTAL = 1e9;

const cpuOf = (agent: number, i: number) => (agent * 13 + i * 7) % 101;
const diskUsedOf = (agentId: string, t: number) => Math.round(DISK_TOTAL * ((30 + (SLOPE[agentId]! * (t - NOW)) / 3_600_000) / 100));
const sample = (agentId: string, t: number, i: number): TelemetrySample => ({
  agentId,
  takenAt: new Date(t).toISOString(),
  cpuPercent: cpuOf(AGENTS.indexOf(agentId), i),
  memoryUsedBytes: 1e9,
  memoryTotalBytes: 4e9,
  load: [1, 1, 1],
  diskUsedBytes: diskUsedOf(agentId, t),
  diskTotalBytes: DISK_TOTAL,
  uptimeSeconds: 1,
});
const sent = AGENTS.flatMap((agentId) => [...OLD, ...RECENT].map((t, i) => sample(agentId, t, i)));
const lastHour = sent.filter((s) => Date.parse(s.takenAt) >= NOW - 3_600_000);

function registry(): grpc.UntypedServiceImplementation {
  const selectAgents = (call: grpc.ServerWritableStream<agentHubV1.SelectAgentsRequest, agentHubV1.SelectAgentsResponse>) => {
    const sel = call.request.selector!;
    const ids = AGENTS.filter((id) => (sel.all || sel.site === '' || SITES[id] === sel.site) && (sel.agentIds.length === 0 || sel.agentIds.includes(id)));
    call.write({ agents: ids.map((id) => ({ id, site: SITES[id]!, capabilities: [], connected: true })) });
    call.end();
  };
  return { countAgents: () => undefined, summarizeAgents: () => undefined, selectAgents };
}

const program = (name: string) => readFileSync(join(appDir, 'programs', `${name}.json`), 'utf8');
/** Nearest-rank p95 to the program's 5-point buckets: the smallest bound B with 95 % of the samples <= B. */
function p95(cpus: number[]): number {
  for (let b = 5; b < 100; b += 5) if (cpus.length * 0.95 <= cpus.filter((c) => c <= b).length) return b;
  return 100;
}
/** Least-squares slope of disk % over hours, as a direct two-pass computation. */
function slope(points: Array<{ h: number; d: number }>): number {
  const mh = points.reduce((a, p) => a + p.h, 0) / points.length;
  const md = points.reduce((a, p) => a + p.d, 0) / points.length;
  return points.reduce((a, p) => a + (p.h - mh) * (p.d - md), 0) / points.reduce((a, p) => a + (p.h - mh) ** 2, 0);
}
const diskPercent = (s: TelemetrySample) => Math.min(100, (s.diskUsedBytes / s.diskTotalBytes) * 100);

describe('tile-worker: telemetry sources over the real telemetry service', () => {
  let infra: Infra;
  let hub: Awaited<ReturnType<typeof serveGrpc>>;
  let telemetry: ManagedProcess;
  let tiles: ManagedProcess;
  let nc: NatsConnection;
  let client: Client;
  let telemetryEnv: Record<string, string>;
  let workerHttp: number;

  const startTelemetry = async () => {
    const p = spawnProcess('telemetry', process.execPath, [...SERVICE_NODE_ARGS], { cwd: telemetryDir, env: telemetryEnv });
    await p.waitForHttp(`http://127.0.0.1:${telemetryEnv['HTTP_PORT']}/ready`, 30_000);
    return p;
  };

  beforeAll(async () => {
    [infra, hub] = await Promise.all([startInfra(), serveGrpc('agentHub', {}, { AgentRegistryService: registry() })]);
    const databaseUrl = await infra.postgres.createDatabase('telemetry');
    await deployMigrations({ schemaPath: join(telemetryDir, 'prisma/schema.prisma'), migrationsDir: join(telemetryDir, 'prisma/migrations'), databaseUrl });
    const [tHttp, tGrpc, wHttp, wGrpc] = [await freePort(), await freePort(), await freePort(), await freePort()];
    workerHttp = wHttp;
    telemetryEnv = {
      HTTP_PORT: String(tHttp),
      GRPC_PORT: String(tGrpc),
      DATABASE_URL: databaseUrl,
      NATS_URL: infra.nats.url,
      REDIS_URL: infra.redis.url,
      AGENT_HUB_GRPC_URL: hub.address,
      OTEL_SERVICE_NAME: 'telemetry',
    };
    tiles = spawnProcess('tile-worker', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: appDir,
      env: {
        HTTP_PORT: String(wHttp),
        GRPC_PORT: String(wGrpc),
        REDIS_URL: infra.redis.url,
        TELEMETRY_GRPC_URL: `127.0.0.1:${tGrpc}`,
        AGENT_HUB_GRPC_URL: hub.address,
        MAX_WORKERS: '2',
        MIN_POOL_ROWS: '0',
        // 250 rows fit the last hour's 5 × 50; three hours' 5 × 80 do not.
        MAX_JOB_ROWS: '300',
        JOB_ATTEMPTS: '30',
        JOB_RETRY_DELAY_MS: '100',
      },
    });
    [telemetry] = await Promise.all([startTelemetry(), tiles.waitForHttp(`http://127.0.0.1:${wHttp}/ready`, 60_000)]);
    nc = await connect({ servers: infra.nats.url });
    const js = jetstream(nc);
    await Promise.all(sent.map((s) => js.publish(subjects.telemetry(s.agentId), JSON.stringify(s))));
    const until = Date.now() + 30_000;
    const ingested = async () => ((await runSql(databaseUrl, 'SELECT count(*)::int AS n FROM telemetry_samples_raw')).rows[0] as { n: number }).n;
    while ((await ingested()) !== sent.length) {
      if (Date.now() > until) throw new Error('telemetry did not ingest every sample in time');
      await new Promise((r) => setTimeout(r, 100));
    }
    client = await createGrpcClient('tiles', `127.0.0.1:${wGrpc}`);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await nc?.close();
    await tiles?.stop();
    await telemetry?.stop();
    await Promise.all([infra?.stop(), hub?.stop()]);
  });

  const telemetrySource = (tileId: string, q: Partial<tilesV1.TelemetryQuery>) => ({
    tileId,
    telemetry: { agents: { agentIds: [], site: '', labels: {}, all: true }, metrics: [], from: '-1h', to: '', resolution: '', ...q },
  });
  const submit = (programJson: string, sources: unknown[]) =>
    unary<tilesV1.SubmitJobResponse>(client, 'submitJob', { programJson, sources, requestedBy: 'test' }).then((r) => r.job!);
  async function finished(id: string): Promise<tilesV1.GetJobResponse> {
    const until = Date.now() + 45_000;
    for (;;) {
      const res = await unary<tilesV1.GetJobResponse>(client, 'getJob', { jobId: id, resultLimit: 1000 });
      if (![JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING].includes(res.job!.state)) return res;
      if (Date.now() > until) throw new Error(`job ${id} still ${res.job!.state}: ${res.job!.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const rowsOf = (res: tilesV1.GetJobResponse) => JSON.parse(res.results[0]!.rowsJson) as Array<Record<string, number | string>>;

  it('p95 CPU per site over the last hour: every site from the registry, samples outside the hour left out', async () => {
    const job = await submit(program('p95-cpu-per-site'), [telemetrySource('samples', { metrics: ['cpu'] })]);
    const res = await finished(job.id);
    expect(res.job!.state, res.job!.error).toBe(JobState.JOB_STATE_COMPLETED);
    const expected = ['ap', 'eu', 'us'].map((site) => {
      const cpus = lastHour.filter((s) => SITES[s.agentId] === site).map((s) => s.cpuPercent);
      return { site, samples: cpus.length, meanCpu: cpus.reduce((a, b) => a + b, 0) / cpus.length, p95Cpu: p95(cpus) };
    });
    const got = rowsOf(res);
    expect(got.map(({ meanCpu: _m, ...r }) => r)).toEqual(expected.map(({ meanCpu: _m, ...r }) => r));
    got.forEach((r, i) => expect(r['meanCpu']).toBeCloseTo(expected[i]!.meanCpu, 9));
    expect(res.job!.stats).toMatchObject({ rowsIn: lastHour.length, cache: 'none' });
    expect(res.job!.stats!.partitions).toBeGreaterThan(0);
  });

  it('agents whose disk use grew more than 1 %/h, fastest first, by their least-squares slope', async () => {
    const job = await submit(program('disk-growth-over-1pct-per-hour'), [telemetrySource('samples', { metrics: ['disk'], resolution: 'raw' })]);
    const res = await finished(job.id);
    expect(res.job!.state, res.job!.error).toBe(JobState.JOB_STATE_COMPLETED);
    const slopes = AGENTS.map((agentId) => {
      const mine = lastHour.filter((s) => s.agentId === agentId);
      return { agentId, growth: slope(mine.map((s) => ({ h: Date.parse(s.takenAt) / 3_600_000, d: diskPercent(s) }))), n: mine.length };
    })
      .filter((a) => a.growth > 1)
      .sort((a, b) => b.growth - a.growth);
    const got = rowsOf(res);
    expect(got.map((r) => r['agentId'])).toEqual(['ap-1', 'eu-2']);
    expect(slopes.map((s) => s.agentId)).toEqual(['ap-1', 'eu-2']);
    got.forEach((r, i) => {
      expect(r['growthPerHour']).toBeCloseTo(slopes[i]!.growth, 4);
      expect(r['samples']).toBe(slopes[i]!.n);
    });
  });

  it('answers a repeat of "the last hour" over the same points from the cache', async () => {
    const first = await finished(
      (await submit(program('p95-cpu-per-site'), [telemetrySource('samples', { agents: { agentIds: [], site: 'eu', labels: {}, all: false } })])).id,
    );
    const again = await finished(
      (await submit(program('p95-cpu-per-site'), [telemetrySource('samples', { agents: { agentIds: [], site: 'eu', labels: {}, all: false } })])).id,
    );
    expect(first.job!.stats!.cache).toBe('none');
    expect(again.job!.stats!.cache).toBe('memory');
    expect(rowsOf(again)).toEqual(rowsOf(first));
    expect(rowsOf(first).map((r) => r['site'])).toEqual(['eu']);
  });

  it('refuses a binding the tile cannot take, naming the field', async () => {
    const refused = async (sources: unknown[], details: RegExp, programJson = program('p95-cpu-per-site')) => {
      const err = await submit(programJson, sources).then(
        () => undefined,
        (e: unknown) => e as grpc.ServiceError,
      );
      expect(err?.code).toBe(status.INVALID_ARGUMENT);
      expect(err?.details).toMatch(details);
    };
    await refused([telemetrySource('samples', { from: 'yesterday' })], /^sources\[0\]\.telemetry\.from: must be an RFC 3339 date-time or relative/);
    await refused([telemetrySource('samples', { metrics: ['memory'] })], /^sources\[0\]\.telemetry\.metrics: tile "samples" reads cpu_percent/);
    await refused(
      [telemetrySource('samples', { agents: { agentIds: [], site: '', labels: {}, all: false } })],
      /^sources\[0\]\.telemetry\.agents: name agent_ids/,
    );
    const odd = JSON.stringify({
      version: 1,
      tiles: [
        { id: 's', kind: 'records', schema: { host: 'string', cpu: 'number' } },
        { id: 'o', kind: 'sink', input: 's' },
      ],
    });
    await refused([telemetrySource('s', {})], /^sources\[0\]\.telemetry: tile "s", field "host": a metric is a number/, odd);
  });

  it('FAILS a job whose source passes the row limit while it is read, naming the source', async () => {
    const res = await finished((await submit(program('p95-cpu-per-site'), [telemetrySource('samples', { from: '-3h' })])).id);
    expect(res.job!.state).toBe(JobState.JOB_STATE_FAILED);
    expect(res.job!.error).toMatch(/^source "samples" \(telemetry\): \d+ rows read, over the job limit of 300 rows \(MAX_JOB_ROWS\)$/);
  });

  it('waits, QUEUED, while telemetry is down, and completes once it is back — never over no data', async () => {
    await telemetry.stop();
    const job = await submit(program('p95-cpu-per-site'), [telemetrySource('samples', { agents: { agentIds: [], site: 'us', labels: {}, all: false } })]);
    const until = Date.now() + 20_000;
    let seen: tilesV1.Job;
    do {
      seen = (await unary<tilesV1.GetJobResponse>(client, 'getJob', { jobId: job.id })).job!;
      if (Date.now() > until) throw new Error(`job never waited: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 100));
    } while (!seen.error.includes('telemetry is unavailable'));
    expect(seen.error).toMatch(/^waiting: source "samples": telemetry is unavailable \(UNAVAILABLE/);
    expect([JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING]).toContain(seen.state);
    telemetry = await startTelemetry();
    const res = await finished(job.id);
    expect(res.job!.state, res.job!.error).toBe(JobState.JOB_STATE_COMPLETED);
    expect(res.job!.error).toBe('');
    const usCpus = lastHour.filter((s) => SITES[s.agentId] === 'us').map((s) => s.cpuPercent);
    expect(rowsOf(res)).toMatchObject([{ site: 'us', samples: usCpus.length, p95Cpu: p95(usCpus) }]);
    const metrics = await (await fetch(`http://127.0.0.1:${workerHttp}/metrics`)).text();
    expect(Number(/^fleetplane_tile_worker_telemetry_waits_total(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^fleetplane_tile_worker_telemetry_rows_total(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(lastHour.length);
  }, 60_000);
});
