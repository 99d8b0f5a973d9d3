import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeFetch } from '../test/fakes.js';
import { cliIn } from '../test/run-cli.js';

const program = { version: 1, tiles: [{ id: 'samples', kind: 'records', schema: { site: 'string', cpu: 'number' } }] };
const ID = '6f1c1b1e-7a7e-4c55-9f0e-4a4b8e2a9d01';

const job = (state: string, extra: Record<string, unknown> = {}) => ({
  id: ID,
  state,
  programHash: 'a'.repeat(64),
  requestedBy: 'user-1',
  timeoutMs: 300_000,
  createdAt: '2026-12-01T10:00:00.000Z',
  startedAt: state === 'QUEUED' ? null : '2026-12-01T10:00:00.100Z',
  finishedAt: ['QUEUED', 'RUNNING'].includes(state) ? null : '2026-12-01T10:00:00.300Z',
  error: null,
  sinks: ['out'],
  stats: { rowsIn: 3, rowsOut: 2, partitions: 2, workers: 2, cache: 'none', compileMs: 1.25, runMs: 3.5, partitionRetries: 0, estimatedPeakBytes: 480 },
  ...extra,
});
const result = (state: string, extra: Record<string, unknown> = {}) => ({
  job: job(state, extra),
  results:
    state === 'COMPLETED'
      ? [
          {
            sinkId: 'out',
            rows: [
              { site: 'eu', p: 91 },
              { site: 'us', p: 40 },
            ],
            totalRows: 3,
            offset: 0,
          },
        ]
      : [],
  nextCursor: state === 'COMPLETED' ? 'next-page' : null,
});

describe('fleetplane tiles', () => {
  let dir: string;
  let programPath: string;
  let rowsPath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-tiles-'));
    programPath = join(dir, 'program.json');
    rowsPath = join(dir, 'rows.json');
    writeFileSync(programPath, JSON.stringify(program));
    writeFileSync(rowsPath, JSON.stringify([{ site: 'eu', cpu: 91 }]));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const cli = () => cliIn(dir, { FLEETPLANE_API_KEY: 'k' });

  it('run: binds telemetry sources from --source tile=telemetry:…, with --from/--to/--resolution for those that set none', async () => {
    const fetch = fakeFetch((req) => (req.method === 'POST' ? { status: 202, body: job('QUEUED') } : { status: 200, body: result('COMPLETED') }));
    const r = await cli()(
      [
        'tiles',
        'run',
        programPath,
        '--source',
        'samples=telemetry:cpu,site=eu',
        '--source',
        'other=telemetry:disk,load1_max,agent=a-1,agent=a-2,label.rack=r7,from=-7d,resolution=1h',
        '--source',
        'every=telemetry:memory',
        '--from',
        '-1h',
        '--json',
      ],
      { fetch },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(fetch.requests[0]?.body).toMatchObject({
      sources: [
        {
          tileId: 'samples',
          telemetry: { agents: { agentIds: [], site: 'eu', labels: {}, all: false }, metrics: ['cpu'], from: '-1h', to: '', resolution: 'auto' },
        },
        {
          tileId: 'other',
          telemetry: {
            agents: { agentIds: ['a-1', 'a-2'], site: '', labels: { rack: 'r7' }, all: false },
            metrics: ['disk', 'load1_max'],
            from: '-7d',
            resolution: '1h',
          },
        },
        { tileId: 'every', telemetry: { agents: { all: true }, metrics: ['memory'], from: '-1h' } },
      ],
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ job: { state: 'COMPLETED' } });
  });

  it('run: refuses a telemetry source without a metric, with an unknown key or resolution (exit 255, no request)', async () => {
    const fetch = fakeFetch(() => ({ status: 500, body: {} }));
    for (const [spec, message] of [
      ['samples=telemetry:site=eu', '--source samples: name at least one metric'],
      ['samples=telemetry:cpu,host=x', '--source samples: unknown key host'],
      ['samples=telemetry:cpu,resolution=5m', '--source samples: resolution must be one of auto, raw, 1m, 1h'],
    ] as const) {
      const r = await cli()(['tiles', 'run', programPath, '--source', spec], { fetch });
      expect(r.code).toBe(255);
      expect(r.stderr).toContain(message);
    }
    expect(fetch.requests).toHaveLength(0);
  });

  it('run: submits the program with its sources, waits until COMPLETED and prints the results', async () => {
    const states = ['QUEUED', 'RUNNING', 'COMPLETED'];
    const fetch = fakeFetch((req) => {
      if (req.method === 'POST') return { status: 202, body: job('QUEUED') };
      return { status: 200, body: result(states.shift() ?? 'COMPLETED') };
    });
    const r = await cli()(['tiles', 'run', programPath, '--source', `samples=${rowsPath}`, '--timeout', '60', '--limit', '2'], { fetch });
    expect(r.code, r.stderr).toBe(0);
    expect(fetch.requests[0]).toMatchObject({
      method: 'POST',
      path: '/tiles/jobs',
      body: { program, sources: [{ tileId: 'samples', rows: [{ site: 'eu', cpu: 91 }] }], timeoutMs: 60_000 },
    });
    expect(fetch.requests.slice(1).map((q) => q.path)).toEqual([
      `/tiles/jobs/${ID}?resultLimit=2`,
      `/tiles/jobs/${ID}?resultLimit=2`,
      `/tiles/jobs/${ID}?resultLimit=2`,
    ]);
    expect(r.stdout).toMatch(/^state:\s+COMPLETED$/m);
    expect(r.stdout).toMatch(/^partitions:\s+2 on 2 worker\(s\), 0 retried$/m);
    expect(r.stdout).toMatch(/^out \(rows 1-2 of 3\)\nsite\s+p\neu\s+91\nus\s+40\n/m);
    expect(r.stdout).toContain(`more rows: fleetplane tiles get ${ID} --cursor next-page`);
  });

  it('run: exits 255 with the job error when it does not complete, and --json prints the job as JSON', async () => {
    const fetch = fakeFetch((req) =>
      req.method === 'POST'
        ? { status: 202, body: job('QUEUED') }
        : { status: 200, body: result('FAILED', { error: 'partition 1 of 2 of stage #2 (bySite) failed after 3 attempt(s): worker exited' }) },
    );
    const r = await cli()(['tiles', 'run', programPath, '--json'], { fetch });
    expect(r.code).toBe(255);
    expect(r.stderr).toBe(`fleetplane: tile job ${ID} FAILED: partition 1 of 2 of stage #2 (bySite) failed after 3 attempt(s): worker exited\n`);
    expect((JSON.parse(r.stdout) as { job: { state: string } }).job.state).toBe('FAILED');
  });

  it('run --no-wait prints the job id; a missing or bad file is a usage error before anything is sent', async () => {
    const fetch = fakeFetch(() => ({ status: 202, body: job('QUEUED') }));
    const r = await cli()(['tiles', 'run', programPath, '--no-wait'], { fetch });
    expect(r.stdout).toBe(`${ID}\n`);
    const none = fakeFetch(() => ({ status: 500 }));
    const missing = await cli()(['tiles', 'run', join(dir, 'nope.json')], { fetch: none });
    expect(missing.code).toBe(255);
    expect(missing.stderr).toMatch(/program .*nope\.json: no such file/);
    const bad = await cli()(['tiles', 'run', programPath, '--source', 'samples'], { fetch: none });
    expect(bad.stderr).toMatch(/--source samples: expected <tile>=<file.json>/);
    expect(none.requests).toEqual([]);
  });

  it("shows the gateway's 400 for a bad program, naming the tile and field", async () => {
    const fetch = fakeFetch(() => ({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'program: tile "bySite", field "peak": unknown field cpuu', field: 'program', traceId: null },
    }));
    const r = await cli()(['tiles', 'run', programPath], { fetch });
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('program: tile "bySite", field "peak": unknown field cpuu');
  });

  it('explain prints the plan, sending the expected rows; get pages with --cursor; stats summarises', async () => {
    const fetch = fakeFetch((req) => {
      if (req.path === '/tiles/explain')
        return {
          status: 200,
          body: { plan: 'TILE PLAN  4 tiles -> 4 after optimisation', tiles: 4, stages: 4, estimatedPeakBytes: 1, estimatedMs: 1, programHash: 'a' },
        };
      if (req.path === '/tiles/stats')
        return {
          status: 200,
          body: {
            pool: { maxWorkers: 2, threads: 1, queuedPartitions: 0, utilization: 0.25, completedPartitions: 8, partitionRetries: 1 },
            cache: {
              memory: { hits: 3, misses: 1, evictions: 0, bytes: 2048, entries: 1 },
              redis: { hits: 1, misses: 0, evictions: 0, bytes: 0, entries: 0 },
              hitRatio: 0.75,
            },
            compiledPrograms: { entries: 1, hits: 4, misses: 1 },
            queue: { waiting: 0, active: 1, delayed: 0 },
          },
        };
      return { status: 200, body: result('COMPLETED') };
    });
    const explained = await cli()(['tiles', 'explain', programPath, '--rows', 'samples=1000000'], { fetch });
    expect(explained.code, explained.stderr).toBe(0);
    expect(fetch.requests[0]).toMatchObject({ method: 'POST', path: '/tiles/explain', body: { program, sourceRows: { samples: 1_000_000 } } });
    expect(explained.stdout).toBe('TILE PLAN  4 tiles -> 4 after optimisation\n');
    const got = await cli()(['tiles', 'get', ID, '--cursor', 'abc', '--limit', '5'], { fetch });
    expect(fetch.requests[1]?.path).toBe(`/tiles/jobs/${ID}?resultLimit=5&cursor=abc`);
    expect(got.stdout).toMatch(/^cache:\s+none$/m);
    const stats = await cli()(['tiles', 'stats'], { fetch });
    expect(stats.stdout).toMatch(/^workers:\s+1 of 2 thread\(s\), 25\.0% utilised$/m);
    expect(stats.stdout).toMatch(/^cache hit ratio:\s+75\.0%$/m);
    expect(stats.stdout).toMatch(/^queue:\s+waiting 0, active 1, delayed 0$/m);
  });
});
