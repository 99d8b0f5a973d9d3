import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { createGrpcClient, tilesV1, unary } from '@fleetplane/contracts/grpc';
import { ProgramBuilder, type Program } from '@fleetplane/tile-compiler';
import { freePort, spawnProcess, startRedis, type ManagedProcess, type ServerHandle, SERVICE_NODE_ARGS } from '@fleetplane/test-harness';

// The built service as its own process against a real redis-server, called over real gRPC;
// its partitions run on real worker threads (MIN_POOL_ROWS=0 sends every stage to the pool).

const appDir = new URL('../', import.meta.url).pathname;
type Client = Awaited<ReturnType<typeof createGrpcClient>>;
const { JobState } = tilesV1;

function perSite(): Program {
  const p = new ProgramBuilder();
  p.records({ site: 'string', cpu: 'number' }, { id: 'samples' })
    .groupBy(['site'], { n: { op: 'count' }, peak: { op: 'max', expr: 'cpu' }, total: { op: 'sum', expr: 'cpu' } }, 'bySite')
    .sort([{ field: 'site' }], 'ranked')
    .sink('out');
  return p.build();
}

/** Every row lands in 100 sliding windows of 16 emitted rows: seconds of work for 40,000 rows. */
function slow(): Program {
  const p = new ProgramBuilder();
  p.columns(['x', 't'], { id: 'cols' })
    .flatMap(
      Array.from({ length: 16 }, (_, i) => ({ fields: { t: `t + ${i}`, x: `x * ${i + 1}` } })),
      'fan',
    )
    .window({ timeField: 't', size: 10_000, slide: 100, aggregates: { m: { op: 'max', expr: 'x' } } }, 'win')
    .sink('windows');
  return p.build();
}

const siteRows = (n: number) => Array.from({ length: n }, (_, i) => ({ site: ['eu', 'us', 'ap'][i % 3] as string, cpu: i % 101 }));
const rowsSource = (tileId: string, rows: unknown[]) => ({ tileId, rows: { rowsJson: JSON.stringify(rows) } });
const slowSource = (n: number, salt = 0) => ({
  tileId: 'cols',
  columns: { columns: { x: { values: Array.from({ length: n }, (_, i) => (i + salt) % 1000) }, t: { values: Array.from({ length: n }, (_, i) => i) } } },
});

async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (check(v)) return v;
    if (Date.now() > until) throw new Error(`condition not met in time; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('tile-worker service', () => {
  let redis: ServerHandle;
  let service: ManagedProcess;
  let client: Client;
  let httpPort: number;

  beforeAll(async () => {
    redis = await startRedis();
    httpPort = await freePort();
    const grpcPort = await freePort();
    service = spawnProcess('tile-worker', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: appDir,
      env: {
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        REDIS_URL: redis.url,
        MAX_WORKERS: '2',
        MIN_POOL_ROWS: '0',
        JOB_CONCURRENCY: '1',
        MAX_JOB_ROWS: '100000',
        MAX_JOB_BYTES: '8000000',
        RESULT_PAGE_ROWS: '2',
        // Results above 4 KB skip the in-process tier, so a repeat of such a job is served by Redis.
        CACHE_MEMORY_BYTES: '4000',
        CANCEL_POLL_MS: '50',
      },
    });
    await service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 60_000);
    client = await createGrpcClient('tiles', `127.0.0.1:${grpcPort}`);
  });

  afterAll(async () => {
    client?.close();
    const code = await service?.stop();
    await redis?.stop();
    // Graceful shutdown: the queue worker and the pool closed, exit 0.
    expect(code).toBe(0);
  });

  const call = <R>(method: string, req: unknown) => unary<R>(client, method, req, 30_000);
  const submit = (req: Partial<tilesV1.SubmitJobRequest>) =>
    call<tilesV1.SubmitJobResponse>('submitJob', { requestedBy: 'tester', ...req }).then((r) => r.job as tilesV1.Job);
  const get = (jobId: string, extra: Partial<tilesV1.GetJobRequest> = {}) => call<tilesV1.GetJobResponse>('getJob', { jobId, ...extra });
  const finished = (jobId: string) =>
    eventually(
      () => get(jobId),
      (r) => ![JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING].includes(r.job?.state as tilesV1.JobState),
    );
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: grpc.ServiceError) => ({ code: err.code, details: err.details }),
    );

  it('runs a job from QUEUED to COMPLETED on the pool, with its stats, and pages the results with a cursor', async () => {
    const job = await submit({ programJson: JSON.stringify(perSite()), sources: [rowsSource('samples', siteRows(3000))] });
    expect(job.state).toBe(JobState.JOB_STATE_QUEUED);
    expect(job.sinks).toEqual(['out']);
    const first = await finished(job.id);
    expect(first.job?.state).toBe(JobState.JOB_STATE_COMPLETED);
    expect(first.job?.stats).toMatchObject({ rowsIn: 3000, rowsOut: 3, partitions: 2, cache: 'none', partitionRetries: 0 });
    expect(first.job?.stats?.workers).toBeGreaterThanOrEqual(1);
    expect(first.job?.startedAt).not.toBe('');
    // RESULT_PAGE_ROWS=2: two rows, then the third behind the cursor.
    expect(first.results).toHaveLength(1);
    expect(first.results[0]).toMatchObject({ sinkId: 'out', totalRows: 3, offset: 0 });
    const rows = siteRows(3000);
    const expected = ['ap', 'eu', 'us'].map((site) => {
      const mine = rows.filter((r) => r.site === site);
      return { site, n: mine.length, peak: Math.max(...mine.map((r) => r.cpu)), total: mine.reduce((a, r) => a + r.cpu, 0) };
    });
    expect(JSON.parse(first.results[0]!.rowsJson)).toEqual(expected.slice(0, 2));
    expect(first.nextResultCursor).not.toBe('');
    const second = await get(job.id, { resultCursor: first.nextResultCursor });
    expect(second.results[0]).toMatchObject({ sinkId: 'out', totalRows: 3, offset: 2 });
    expect(JSON.parse(second.results[0]!.rowsJson)).toEqual(expected.slice(2));
    expect(second.nextResultCursor).toBe('');
  });

  it('answers a repeated job from the in-process cache, and a large result from the Redis tier', async () => {
    const small = { programJson: JSON.stringify(perSite()), sources: [rowsSource('samples', siteRows(3000))] };
    const again = await finished((await submit(small)).id);
    expect(again.job?.stats?.cache).toBe('memory');
    expect(again.job?.stats?.partitions).toBe(0);

    // About 12 KB of result rows: over the 4 KB in-process budget.
    const b = new ProgramBuilder();
    b.records({ site: 'string', cpu: 'number' }, { id: 'samples' }).map({ site: 'site', cpu: 'cpu', twice: 'cpu * 2' }, 'wide').sink('rows');
    const large = { programJson: JSON.stringify(b.build()), sources: [rowsSource('samples', siteRows(300))] };
    const cold = await finished((await submit(large)).id);
    expect(cold.job?.stats?.cache).toBe('none');
    const warm = await finished((await submit(large)).id);
    expect(warm.job?.stats?.cache).toBe('redis');
    expect(warm.results[0]?.totalRows).toBe(300);

    const stats = await call<tilesV1.GetStatsResponse>('getStats', {});
    expect(stats.memoryCache?.hits).toBeGreaterThanOrEqual(1);
    expect(stats.redisCache?.hits).toBeGreaterThanOrEqual(1);
    expect(stats.hitRatio).toBeGreaterThan(0);
    expect(stats.compileHits).toBeGreaterThanOrEqual(1);
    expect(stats.pool?.maxWorkers).toBe(2);
    expect(stats.pool?.completedPartitions).toBeGreaterThanOrEqual(2);
  });

  it('refuses a bad program with INVALID_ARGUMENT carrying the compiler message (tile and field)', async () => {
    const bad = perSite() as unknown as { version: 1; tiles: Record<string, unknown>[] };
    const program = { ...bad, tiles: bad.tiles.map((t) => (t['id'] === 'bySite' ? { ...t, aggregates: { peak: { op: 'max', expr: 'cpuu' } } } : t)) };
    const err = await refusal(submit({ programJson: JSON.stringify(program), sources: [rowsSource('samples', siteRows(3))] }));
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/^program_json: tile "bySite", field "peak"/);
    expect((await refusal(submit({ programJson: '{' })))?.details).toBe('program_json: is not JSON');
  });

  it('refuses bad bindings and jobs over their limits before storing them', async () => {
    const programJson = JSON.stringify(perSite());
    const wrongType = await refusal(submit({ programJson, sources: [rowsSource('samples', [{ site: 'eu', cpu: 'high' }])] }));
    expect(wrongType).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'sources[0].rows.rows_json: tile "samples", field "cpu": row 0: expected number',
    });
    const unknown = await refusal(submit({ programJson, sources: [rowsSource('nope', [])] }));
    expect(unknown?.details).toBe('sources[0].tile_id: no records or columns tile "nope" in the program');
    const unbound = await refusal(submit({ programJson, sources: [] }));
    expect(unbound?.details).toBe('sources: source tile "samples" has no inline data and no binding');
    const tooMany = await refusal(
      submit({
        programJson,
        sources: [
          rowsSource(
            'samples',
            Array.from({ length: 100_001 }, () => ({ site: 'eu', cpu: 1 })),
          ),
        ],
      }),
    );
    expect(tooMany?.details).toBe('sources: 100001 rows exceed the job limit of 100000 rows');
    // A collecting map and a sort keep every row twice: the compiler estimates ~13 MB for 90,000 rows, over MAX_JOB_BYTES=8 MB.
    const b = new ProgramBuilder();
    b.records({ site: 'string', cpu: 'number' }, { id: 'samples' })
      .map({ site: 'site', cpu: 'cpu', a: 'cpu + 1' }, 'wide')
      .sort([{ field: 'cpu' }], 'sorted')
      .sink('rows');
    const tooBig = await refusal(submit({ programJson: JSON.stringify(b.build()), sources: [rowsSource('samples', siteRows(90_000))] }));
    expect(tooBig?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(tooBig?.details).toMatch(
      /^program_json: the compiler estimates \d+ B of intermediates alive at once for these sources, over the job limit of 8000000 B$/,
    );
    const timeout = await refusal(submit({ programJson, sources: [rowsSource('samples', [])], timeoutMs: 999_999_999 }));
    expect(timeout?.details).toBe('timeout_ms: must be between 0 (the default) and 3600000');
  });

  it('cancels a queued job (it never runs) and a running one (its partitions are stopped)', async () => {
    const programJson = JSON.stringify(slow());
    const running = await submit({ programJson, sources: [slowSource(40_000, 1)] });
    await eventually(
      () => get(running.id),
      (r) => r.job?.state === JobState.JOB_STATE_RUNNING,
    );
    // JOB_CONCURRENCY=1: this one waits behind the running job.
    const queued = await submit({ programJson, sources: [slowSource(40_000, 2)] });
    const cancelledQueued = await call<tilesV1.CancelJobResponse>('cancelJob', { jobId: queued.id, requestedBy: 'tester' });
    expect(cancelledQueued.job?.state).toBe(JobState.JOB_STATE_CANCELLED);
    const cancelledRunning = await call<tilesV1.CancelJobResponse>('cancelJob', { jobId: running.id, requestedBy: 'tester' });
    expect(cancelledRunning.job?.state).toBe(JobState.JOB_STATE_CANCELLED);
    expect(cancelledRunning.job?.error).toBe('cancelled by tester');
    // The next job runs at once: the cancelled one released the queue, and neither ever completes.
    const next = await finished((await submit({ programJson: JSON.stringify(perSite()), sources: [rowsSource('samples', siteRows(30))] })).id);
    expect(next.job?.state).toBe(JobState.JOB_STATE_COMPLETED);
    expect((await get(running.id)).job?.state).toBe(JobState.JOB_STATE_CANCELLED);
    expect((await get(queued.id)).job?.startedAt).toBe('');
    const again = await refusal(call('cancelJob', { jobId: running.id }));
    expect(again?.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('times a job out past its timeout_ms', async () => {
    const job = await submit({ programJson: JSON.stringify(slow()), sources: [slowSource(40_000, 3)], timeoutMs: 200 });
    const done = await finished(job.id);
    expect(done.job?.state).toBe(JobState.JOB_STATE_TIMED_OUT);
    expect(done.job?.error).toBe('exceeded its timeout of 200 ms');
  });

  it('explains a program without running it, lists jobs newest first, and answers NOT_FOUND for an unknown job', async () => {
    const explained = await call<tilesV1.ExplainResponse>('explain', { programJson: JSON.stringify(perSite()), sourceRows: { samples: 1_000_000 } });
    expect(explained.plan).toMatch(/^TILE PLAN {2}4 tiles/);
    expect(explained.plan).toContain('est rows in 1.0M');
    expect(explained.stages).toBeGreaterThan(0);
    expect(explained.programHash).toMatch(/^[0-9a-f]{64}$/);

    const a = await submit({ programJson: JSON.stringify(perSite()), sources: [rowsSource('samples', siteRows(6))] });
    const b = await submit({ programJson: JSON.stringify(perSite()), sources: [rowsSource('samples', siteRows(9))] });
    const page = await call<tilesV1.ListJobsResponse>('listJobs', { pageSize: 1 });
    expect(page.jobs.map((j) => j.id)).toEqual([b.id]);
    const next = await call<tilesV1.ListJobsResponse>('listJobs', { pageSize: 1, pageToken: page.nextPageToken });
    expect(next.jobs.map((j) => j.id)).toEqual([a.id]);
    const bad = await refusal(call('listJobs', { pageToken: 'nonsense' }));
    expect(bad?.code).toBe(grpc.status.INVALID_ARGUMENT);

    const missing = await refusal(get('00000000-0000-4000-8000-000000000000'));
    expect(missing).toEqual({ code: grpc.status.NOT_FOUND, details: 'job 00000000-0000-4000-8000-000000000000 not found' });
    expect((await refusal(get('not-a-uuid')))?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('exports its metrics: jobs by state, queue, pool, cache and timings', async () => {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(text).toMatch(/fleetplane_tile_worker_jobs_finished_total\{state="COMPLETED"[^}]*\} [1-9]/);
    expect(text).toMatch(/fleetplane_tile_worker_jobs_finished_total\{state="CANCELLED"[^}]*\} 2/);
    expect(text).toMatch(/fleetplane_tile_worker_cache_lookups_total\{tier="memory",outcome="hit"[^}]*\} [1-9]/);
    for (const name of [
      'queue_jobs',
      'pool_threads',
      'pool_utilization_ratio',
      'cache_hit_ratio',
      'cache_memory_bytes',
      'compile_duration_seconds_count',
      'run_duration_seconds_count',
    ]) {
      expect(text).toContain(`fleetplane_tile_worker_${name}`);
    }
  });
});
