import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeFetch } from '../test/fakes.js';
import { cliIn } from '../test/run-cli.js';
import { progressBar } from './backup.js';
import type { BackupJob } from './backup-schemas.js';

const JOB = '6f1c1b1e-7a7e-4c55-9f0e-4a4b8e2a9d01';
const BACKUP = '20261201t120000000z-1a2b3c4d';
const backup = {
  id: BACKUP,
  type: 'FULL',
  parentId: null,
  dependsOn: [],
  startedAt: '2026-12-01T12:00:00.000Z',
  completedAt: '2026-12-01T12:00:05.000Z',
  sources: [{ name: 'gateway', kind: 'postgres', sizeBytes: 4 * 1024 * 1024, chunks: 4, sha256: 'ab'.repeat(32), rowCounts: { 'public.users': 10 } }],
  bytesRead: 4 * 1024 * 1024,
  bytesStored: 1024 * 1024,
  chunks: 4,
  newChunks: 4,
  compressionRatio: 4,
  dedupRatio: 1,
};
const job = (state: string, extra: Partial<BackupJob> = {}): BackupJob =>
  ({
    id: JOB,
    kind: 'BACKUP',
    state,
    type: 'FULL',
    sources: ['gateway'],
    backupId: state === 'SUCCEEDED' ? BACKUP : null,
    requestedBy: 'user-1',
    policyId: null,
    createdAt: '2026-12-01T12:00:00.000Z',
    startedAt: state === 'QUEUED' ? null : '2026-12-01T12:00:00.100Z',
    finishedAt: ['QUEUED', 'RUNNING'].includes(state) ? null : '2026-12-01T12:00:05.000Z',
    error: state === 'FAILED' ? 'database gateway refused the connection' : null,
    attempts: state === 'QUEUED' ? 0 : 1,
    progress: {
      bytesRead: state === 'RUNNING' ? 2 * 1024 * 1024 : 0,
      bytesStored: 0,
      dedupRatio: 0,
      bytesExpected: 4 * 1024 * 1024,
      etaSeconds: state === 'RUNNING' ? 3 : null,
    },
    backup: state === 'SUCCEEDED' ? backup : null,
    verify: null,
    restore: null,
    prune: null,
    ...extra,
  }) as BackupJob;

describe('fleetplane backup', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-backup-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const cli = () => cliIn(dir, { FLEETPLANE_API_KEY: 'k' });

  it('create: posts the type and sources, follows the job with a progress line, prints the backup', async () => {
    const states = ['RUNNING', 'SUCCEEDED'];
    const fetch = fakeFetch((req) =>
      req.method === 'POST' ? { status: 202, body: job('QUEUED') } : { status: 200, body: job(states.shift() ?? 'SUCCEEDED') },
    );
    const r = await cli()(['backup', 'create', '--type', 'incremental', '--source', 'gateway'], { fetch });
    expect(r.code, r.stderr).toBe(0);
    expect(fetch.requests[0]).toMatchObject({ method: 'POST', path: '/backups', body: { type: 'INCREMENTAL', sources: ['gateway'] } });
    expect(fetch.requests.slice(1).map((q) => q.path)).toEqual([`/backup-jobs/${JOB}`, `/backup-jobs/${JOB}`]);
    // Not a terminal: one plain line per state.
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `${JOB}: [------------------------]   0%  0 B read, 0 B stored  BACKUP QUEUED`,
      `${JOB}: [############------------]  50%  2.0 MiB read, 0 B stored  ETA 3 s  BACKUP RUNNING`,
      `${JOB}: [########################] 100%  0 B read, 0 B stored  BACKUP SUCCEEDED`,
    ]);
    expect(r.stdout).toContain(BACKUP);
    expect(r.stdout).toMatch(/gateway\s+postgres\s+4\.0 MiB/);
  });

  it('exits 255 with the reason when the job fails; --no-wait prints the job id only', async () => {
    const failing = fakeFetch((req) => (req.method === 'POST' ? { status: 202, body: job('QUEUED') } : { status: 200, body: job('FAILED') }));
    const r = await cli()(['backup', 'create'], { fetch: failing });
    expect(r.code).toBe(255);
    expect(r.stderr).toContain(`backup job ${JOB} FAILED: database gateway refused the connection`);
    const queued = fakeFetch(() => ({ status: 202, body: job('QUEUED') }));
    const nowait = await cli()(['backup', 'create', '--no-wait'], { fetch: queued });
    expect([nowait.code, nowait.stdout, queued.requests.length]).toEqual([0, `${JOB}\n`, 1]);
  });

  it('cancel: posts to the job, 0 once CANCELLED; 255 when it is still RUNNING; the 409 of an ended job is an error', async () => {
    const cancelled = fakeFetch(() => ({ status: 200, body: job('CANCELLED', { error: 'cancelled by user-1' }) }));
    const r = await cli()(['backup', 'cancel', JOB], { fetch: cancelled });
    expect(r.code, r.stderr).toBe(0);
    expect(cancelled.requests[0]).toMatchObject({ method: 'POST', path: `/backup-jobs/${JOB}/cancel` });
    expect(r.stdout).toContain('CANCELLED');
    const still = await cli()(['backup', 'cancel', JOB], { fetch: fakeFetch(() => ({ status: 200, body: job('RUNNING') })) });
    expect([still.code, still.stderr]).toEqual([255, expect.stringContaining('did not stop in time')]);
    const ended = fakeFetch(() => ({ status: 409, body: { statusCode: 409, error: 'Conflict', message: `job ${JOB} has already ended (SUCCEEDED)` } }));
    const late = await cli()(['backup', 'cancel', JOB], { fetch: ended });
    expect(late.code).not.toBe(0);
    expect(late.stderr).toContain('already ended (SUCCEEDED)');
  });

  it('restore: --target source=database, a dry run prints the plan without a job', async () => {
    const plan = [{ source: 'gateway', database: 'gw_copy', sizeBytes: 1024, tables: 1, rows: 10, mismatches: [] }];
    const fetch = fakeFetch(() => ({ status: 202, body: { dryRun: true, job: null, plan } }));
    const r = await cli()(['backup', 'restore', BACKUP, '--target', 'gateway=gw_copy', '--dry-run'], { fetch });
    expect(r.code, r.stderr).toBe(0);
    expect(fetch.requests[0]).toMatchObject({
      path: `/backups/${BACKUP}/restore`,
      body: { targets: [{ source: 'gateway', database: 'gw_copy' }], dryRun: true },
    });
    expect(r.stdout).toMatch(/dry run: nothing restored[\s\S]*gw_copy/);
    const usage = await cli()(['backup', 'restore', BACKUP], { fetch });
    expect(usage.stderr).toContain('name at least one --target');
  });

  it('prune needs a --keep-* rule; policy set creates, then changes only the given fields; policy delete by name', async () => {
    expect((await cli()(['backup', 'prune'], { fetch: fakeFetch(() => ({ status: 500 })) })).stderr).toContain('at least one --keep-* rule');
    const policy = {
      id: '22222222-2222-4222-8222-222222222222',
      name: 'nightly',
      cron: '0 3 * * *',
      trigger: null,
      type: 'FULL',
      sources: [],
      retention: { keepLast: 0, keepHourly: 0, keepDaily: 7, keepWeekly: 0, keepMonthly: 0, keepYearly: 0 },
      enabled: true,
      createdAt: '2026-12-01T12:00:00.000Z',
      updatedAt: '2026-12-01T12:00:00.000Z',
    };
    let existing: unknown[] = [];
    const fetch = fakeFetch((req) => {
      if (req.method === 'GET') return { status: 200, body: { policies: existing } };
      if (req.method === 'DELETE') return { status: 204 };
      return { status: req.method === 'POST' ? 201 : 200, body: policy };
    });
    expect((await cli()(['backup', 'policy', 'set', 'nightly', '--cron', '0 3 * * *', '--keep-daily', '7'], { fetch })).code).toBe(0);
    expect(fetch.requests[1]).toMatchObject({
      method: 'POST',
      path: '/backup-policies',
      body: { name: 'nightly', type: 'FULL', cron: '0 3 * * *', retention: { keepDaily: 7 } },
    });
    existing = [policy];
    expect((await cli()(['backup', 'policy', 'set', 'nightly', '--disable'], { fetch })).code).toBe(0);
    expect(fetch.requests[3]).toMatchObject({ method: 'PATCH', path: `/backup-policies/${policy.id}`, body: { enabled: false } });
    expect((await cli()(['backup', 'policy', 'delete', 'nightly'], { fetch })).code).toBe(0);
    expect(fetch.requests[5]).toMatchObject({ method: 'DELETE', path: `/backup-policies/${policy.id}` });
  });
});

describe('progressBar', () => {
  it('has no bar while the expected size is unknown', () => {
    const j = job('RUNNING');
    expect(progressBar({ ...j, progress: { ...j.progress, bytesExpected: 0, etaSeconds: null } })).toBe('2.0 MiB read, 0 B stored  BACKUP RUNNING');
  });
});
