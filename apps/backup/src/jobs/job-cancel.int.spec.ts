import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupV1, createGrpcClient, type GrpcClient } from '@fleetplane/contracts/grpc';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, runSql, SERVICE_NODE_ARGS, spawnProcess, startInfra, type Infra, type ManagedProcess } from '@fleetplane/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupCalls } from '../testing/backup-calls.js';

// CancelJob against the built service (real PostgreSQL, Redis, NATS, a local repository): a QUEUED
// job ends CANCELLED at once; a RUNNING backup is stopped mid-way (its pg_dump killed, its packs
// deleted), after which the repository verifies and the next backup dedups against what was
// committed; a RUNNING restore is stopped and its half-filled database dropped.
const appDir = new URL('../../', import.meta.url).pathname;
let infra: Infra;
let service: ManagedProcess;
let client: GrpcClient;
let repoDir: string;
let sourceUrl: string;

const { call, codeOf, waitForJob } = backupCalls(() => client);
const T = backupV1.BackupType;
const S = backupV1.JobState;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const createFull = async () => (await call<backupV1.CreateBackupResponse>('createBackup', { type: T.BACKUP_TYPE_FULL, requestedBy: 'alice' })).job!;
const packsOnDisk = async () => {
  const dirs = await readdir(join(repoDir, 'packs')).catch(() => [] as string[]);
  return (await Promise.all(dirs.map(async (d) => (await readdir(join(repoDir, 'packs', d))).map((f) => `${d}/${f}`)))).flat().sort();
};

beforeAll(async () => {
  infra = await startInfra();
  const { postgres } = infra;
  sourceUrl = await postgres.createDatabase('fleet_big');
  // ~50 MiB of dump: seconds to back up on this machine, so a cancel lands mid-way.
  await runSql(sourceUrl, `CREATE TABLE samples (id int PRIMARY KEY, a text NOT NULL, b text NOT NULL)`);
  await runSql(sourceUrl, `INSERT INTO samples SELECT g, md5(g::text), repeat(md5((g * 7)::text), 4) FROM generate_series(1, 300000) g`);
  await runSql(postgres.url, `CREATE ROLE backup_reader LOGIN`);
  await runSql(postgres.url, `GRANT pg_read_all_data TO backup_reader`);
  const reader = new URL(sourceUrl);
  reader.username = 'backup_reader';
  const catalogueUrl = await postgres.createDatabase('fleetplane_backup');
  await deployMigrations({ schemaPath: join(appDir, 'prisma/schema.prisma'), migrationsDir: join(appDir, 'prisma/migrations'), databaseUrl: catalogueUrl });
  repoDir = await mkdtemp(join(tmpdir(), 'fleetplane-backup-cancel-'));
  const grpcPort = await freePort();
  const httpPort = await freePort();
  const env = {
    HTTP_PORT: String(httpPort),
    GRPC_PORT: String(grpcPort),
    DATABASE_URL: catalogueUrl,
    REDIS_URL: infra.redis.url,
    NATS_URL: infra.nats.url,
    BACKUP_REPOSITORY_PATH: repoDir,
    BACKUP_PASSPHRASE: 'cancel integration test',
    BACKUP_SOURCES: JSON.stringify({ big: reader.toString() }),
    BACKUP_RESTORE_URL: postgres.url,
    BACKUP_PROGRESS_INTERVAL_MS: '50',
    BACKUP_CANCEL_WAIT_MS: '20000',
    LOG_LEVEL: 'warn',
  };
  service = spawnProcess('backup', process.execPath, [...SERVICE_NODE_ARGS], { cwd: appDir, env });
  await service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 30_000);
  client = await createGrpcClient('backup', `127.0.0.1:${grpcPort}`);
});

afterAll(async () => {
  client?.close();
  await service?.stop();
  await infra?.stop();
  if (repoDir) await rm(repoDir, { recursive: true, force: true });
});

describe('CancelJob', () => {
  let first: backupV1.Backup;

  it('refuses a bad or unknown id; a QUEUED job ends CANCELLED at once and never runs', async () => {
    expect(await codeOf(call('cancelJob', { jobId: 'x' }))).toMatch(/^INVALID_ARGUMENT: jobId/);
    expect(await codeOf(call('cancelJob', { jobId: '00000000-0000-4000-8000-000000000000' }))).toMatch(/^NOT_FOUND/);
    const running = await createFull();
    const queued = await createFull(); // behind the first: one job at a time
    const { job } = await call<backupV1.CancelJobResponse>('cancelJob', { jobId: queued.id, requestedBy: 'carol' });
    expect(job).toMatchObject({ state: 'JOB_STATE_CANCELLED', error: 'cancelled by carol' });
    expect(job!.finishedAt).not.toBe('');
    const done = await waitForJob(running.id);
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    first = done.backup!;
    const after = (await call<backupV1.GetJobResponse>('getJob', { jobId: queued.id })).job!;
    expect(after).toMatchObject({ state: 'JOB_STATE_CANCELLED', startedAt: '', attempts: 0 });
    expect(await codeOf(call('cancelJob', { jobId: running.id }))).toMatch(/^FAILED_PRECONDITION: .*already ended \(SUCCEEDED\)/);
    expect(await codeOf(call('cancelJob', { jobId: queued.id }))).toMatch(/^FAILED_PRECONDITION: .*already ended \(CANCELLED\)/);
  });

  it('stops a RUNNING backup mid-way: nothing of it stays, verify passes, the next backup dedups against the committed one', async () => {
    const packsBefore = await packsOnDisk();
    const job = await createFull();
    const midway = await waitForJob(job.id, (j) => j.state === S.JOB_STATE_RUNNING && Number(j.progress?.bytesRead ?? 0) > 0);
    const { job: cancelled } = await call<backupV1.CancelJobResponse>('cancelJob', { jobId: job.id, requestedBy: 'carol' });
    expect(cancelled).toMatchObject({ state: 'JOB_STATE_CANCELLED', error: 'cancelled by carol', attempts: 1 });
    // It was stopped part way through the dump, not after it.
    expect(Number(midway.progress!.bytesRead)).toBeLessThan(Number(first.bytesRead));
    expect(Number(cancelled!.progress!.bytesRead)).toBeLessThan(Number(first.bytesRead));
    expect((await call<backupV1.ListBackupsResponse>('listBackups', {})).backups.map((b) => b.id)).toEqual([first.id]);
    expect(await packsOnDisk()).toEqual(packsBefore);
    // pg_dump was killed and its snapshot transaction closed.
    let readers = -1;
    for (let i = 0; i < 100 && readers !== 0; i++) {
      const { rows } = await runSql(infra.postgres.url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'backup_reader'`);
      readers = (rows[0] as { n: number }).n;
      if (readers !== 0) await sleep(100);
    }
    expect(readers).toBe(0);
    // Not retried: it stays CANCELLED.
    await sleep(500);
    expect((await call<backupV1.GetJobResponse>('getJob', { jobId: job.id })).job!.state).toBe('JOB_STATE_CANCELLED');

    const verified = await waitForJob((await call<backupV1.VerifyBackupResponse>('verifyBackup', { backupId: first.id, readData: true })).job!.id);
    expect(verified.verify).toMatchObject({ ok: true, errors: [] });
    await runSql(sourceUrl, `UPDATE samples SET a = 'changed' WHERE id BETWEEN 299000 AND 299100`);
    const inc = (await waitForJob((await call<backupV1.CreateBackupResponse>('createBackup', { type: T.BACKUP_TYPE_INCREMENTAL })).job!.id)).backup!;
    expect(inc.parentId).toBe(first.id);
    expect(Number(inc.bytesStored)).toBeLessThan(Number(first.bytesStored) / 5);
  });

  it('stops a RUNNING restore and drops the database it was filling', async () => {
    const { job } = await call<backupV1.RestoreBackupResponse>('restoreBackup', { backupId: first.id, targets: [{ source: 'big', database: 'big_restored' }] });
    await waitForJob(job!.id, (j) => j.state === S.JOB_STATE_RUNNING);
    const { job: cancelled } = await call<backupV1.CancelJobResponse>('cancelJob', { jobId: job!.id, requestedBy: 'carol' });
    expect(cancelled!.state).toBe('JOB_STATE_CANCELLED');
    const { rows } = await runSql(infra.postgres.url, `SELECT count(*)::int AS n FROM pg_database WHERE datname = 'big_restored'`);
    expect((rows[0] as { n: number }).n).toBe(0);
  });
});
