import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { eventSchemas, subjects, type EventPayload } from '@fleetplane/contracts';
import { backupV1, createGrpcClient, type GrpcClient } from '@fleetplane/contracts/grpc';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, runSql, SERVICE_NODE_ARGS, spawnProcess, startInfra, type Infra, type ManagedProcess } from '@fleetplane/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupCalls } from '../testing/backup-calls.js';

// The built service as its own process, over gRPC, against real PostgreSQL (a source database and
// the catalogue), Redis (BullMQ) and NATS (progress events, triggers), with a repository in a
// temporary directory. Jobs run in the service's queue; the test follows them with GetJob and the
// backup.updated events.
const appDir = new URL('../../', import.meta.url).pathname;
/** The migrator as the image runs it (deploy-manifests' MIGRATE_COMMAND). */
const MIGRATOR = join(appDir, 'node_modules/@fleetplane/prisma-migrate/bin/fleetplane-migrate.js');
let infra: Infra;
let service: ManagedProcess;
let client: GrpcClient;
let nc: NatsConnection;
let repoDir: string;
let sourceUrl: string;
let httpPort: number;
let env: Record<string, string>;
const events: Array<EventPayload<'backup.updated'>> = [];

const { call, codeOf, waitForJob } = backupCalls(() => client);
const T = backupV1.BackupType;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startService(): Promise<void> {
  service = spawnProcess('backup', process.execPath, [...SERVICE_NODE_ARGS], { cwd: appDir, env });
  return service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 30_000);
}

beforeAll(async () => {
  infra = await startInfra();
  const { postgres } = infra;
  sourceUrl = await postgres.createDatabase('fleet_gateway');
  await runSql(sourceUrl, `CREATE TABLE operators (id int PRIMARY KEY, email text NOT NULL, role text NOT NULL)`);
  await runSql(
    sourceUrl,
    `INSERT INTO operators SELECT g, 'op' || g || '@example.test', CASE WHEN g % 10 = 0 THEN 'admin' ELSE 'viewer' END FROM generate_series(1, 20000) g`,
  );
  await runSql(postgres.url, `CREATE ROLE backup_reader LOGIN`);
  await runSql(postgres.url, `GRANT pg_read_all_data TO backup_reader`);
  const reader = new URL(sourceUrl);
  reader.username = 'backup_reader';
  const catalogueUrl = await postgres.createDatabase('fleetplane_backup');
  await deployMigrations({ schemaPath: join(appDir, 'prisma/schema.prisma'), migrationsDir: join(appDir, 'prisma/migrations'), databaseUrl: catalogueUrl });
  repoDir = await mkdtemp(join(tmpdir(), 'fleetplane-backup-svc-'));
  const grpcPort = await freePort();
  httpPort = await freePort();
  env = {
    HTTP_PORT: String(httpPort),
    GRPC_PORT: String(grpcPort),
    DATABASE_URL: catalogueUrl,
    REDIS_URL: infra.redis.url,
    NATS_URL: infra.nats.url,
    BACKUP_REPOSITORY_PATH: repoDir,
    BACKUP_PASSPHRASE: 'service integration test',
    BACKUP_SOURCES: JSON.stringify({ gateway: reader.toString() }),
    BACKUP_RESTORE_URL: postgres.url,
    BACKUP_PROGRESS_INTERVAL_MS: '100',
    // A crashed service's job is taken up again 2 s after its last lock renewal.
    BACKUP_JOB_LOCK_MS: '2000',
    BACKUP_JOB_STALLED_INTERVAL_MS: '500',
    LOG_LEVEL: 'warn',
  };
  nc = await connect({ servers: infra.nats.url });
  const sub = nc.subscribe(subjects.event('backup.updated'));
  void (async () => {
    for await (const m of sub) events.push(eventSchemas['backup.updated'].parse(m.json()));
  })();
  await startService();
  client = await createGrpcClient('backup', `127.0.0.1:${grpcPort}`);
});

afterAll(async () => {
  client?.close();
  await nc?.close();
  await service?.stop();
  await infra?.stop();
  if (repoDir) await rm(repoDir, { recursive: true, force: true });
});

describe('fleetplane.backup.v1.BackupService', () => {
  it('refuses bad requests naming the field, and an INCREMENTAL before any FULL', async () => {
    expect(await codeOf(call('createBackup', { type: T.BACKUP_TYPE_UNSPECIFIED }))).toMatch(/^INVALID_ARGUMENT: type:/);
    expect(await codeOf(call('createBackup', { type: T.BACKUP_TYPE_FULL, sources: ['nope'] }))).toMatch(/^INVALID_ARGUMENT: sources: unknown source\(s\) nope/);
    expect(await codeOf(call('createBackup', { type: T.BACKUP_TYPE_INCREMENTAL }))).toMatch(/^FAILED_PRECONDITION: .*take a FULL first/);
    expect(await codeOf(call('getBackup', { backupId: '../etc' }))).toMatch(/^INVALID_ARGUMENT: backupId/);
    expect(await codeOf(call('getBackup', { backupId: '20261201t120000000z-00000000' }))).toMatch(/^NOT_FOUND/);
    expect(await codeOf(call('getJob', { jobId: 'x' }))).toMatch(/^INVALID_ARGUMENT: jobId/);
    expect(await codeOf(call('getJob', { jobId: '00000000-0000-4000-8000-000000000000' }))).toMatch(/^NOT_FOUND/);
    expect(await codeOf(call('prune', { retention: {} }))).toMatch(/^INVALID_ARGUMENT: retention/);
  });

  let full: backupV1.Backup;
  let incremental: backupV1.Backup;
  it('queues a FULL and answers at once; the job runs, publishes its progress, and records the backup', async () => {
    const { job } = await call<backupV1.CreateBackupResponse>('createBackup', { type: T.BACKUP_TYPE_FULL, requestedBy: 'alice' });
    expect(job).toMatchObject({ state: 'JOB_STATE_QUEUED', kind: 'JOB_KIND_BACKUP', sources: ['gateway'], requestedBy: 'alice' });
    const done = await waitForJob(job!.id);
    expect(done).toMatchObject({ state: 'JOB_STATE_SUCCEEDED', attempts: 1, error: '' });
    full = done.backup!;
    expect(done.backupId).toBe(full.id);
    expect(full.sources[0]!.rowCounts).toEqual({ 'public.operators': '20000' });
    expect(Number(done.progress!.bytesRead)).toBeGreaterThan(0);
    const states = events.filter((e) => e.jobId === job!.id).map((e) => e.state);
    expect(states[0]).toBe('QUEUED');
    expect(states).toContain('RUNNING');
    expect(states.at(-1)).toBe('SUCCEEDED');
    expect(events.find((e) => e.jobId === job!.id && e.state === 'SUCCEEDED')?.backupId).toBe(full.id);
  });

  it('takes an INCREMENTAL on top; lists backups and jobs newest first; sets the last-success gauge', async () => {
    await runSql(sourceUrl, `UPDATE operators SET role = 'admin' WHERE id BETWEEN 100 AND 120`);
    const { job } = await call<backupV1.CreateBackupResponse>('createBackup', { type: T.BACKUP_TYPE_INCREMENTAL });
    incremental = (await waitForJob(job!.id)).backup!;
    expect(incremental.parentId).toBe(full.id);
    const listed = (await call<backupV1.ListBackupsResponse>('listBackups', {})).backups;
    expect(listed.map((b) => b.id)).toEqual([incremental.id, full.id]);
    expect((await call<backupV1.GetBackupResponse>('getBackup', { backupId: full.id })).backup!.id).toBe(full.id);
    const jobs = (await call<backupV1.ListJobsResponse>('listJobs', { limit: 2 })).jobs;
    expect(jobs.map((j) => j.backupId)).toEqual([incremental.id, full.id]);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/fleetplane_backup_last_success_timestamp_seconds\{[^}]*source="gateway"[^}]*\} \d+/);
    expect(metrics).toMatch(/fleetplane_backup_job_duration_seconds_count\{(?=[^}]*kind="BACKUP")(?=[^}]*state="SUCCEEDED")[^}]*\} 2\n/);
  });

  it('verifies with --read-data as a job', async () => {
    const { job } = await call<backupV1.VerifyBackupResponse>('verifyBackup', { backupId: incremental.id, readData: true });
    const done = await waitForJob(job!.id);
    expect(done.verify).toMatchObject({ ok: true, errors: [] });
    expect(done.verify!.blobsChecked).toBeGreaterThan(0);
  });

  it('restores into a new database (dry run first, answered at once); refuses an existing or badly named one before queuing', async () => {
    const targets = [{ source: 'gateway', database: 'gw_restored' }];
    const dry = await call<backupV1.RestoreBackupResponse>('restoreBackup', { backupId: incremental.id, targets, dryRun: true });
    expect(dry.job).toBeFalsy();
    expect(dry.plan[0]).toMatchObject({ source: 'gateway', database: 'gw_restored', tables: 1, rows: '20000' });
    const { job } = await call<backupV1.RestoreBackupResponse>('restoreBackup', { backupId: incremental.id, targets, requestedBy: 'bob' });
    const done = await waitForJob(job!.id);
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    expect(done.restore!.sources[0]!.mismatches).toEqual([]);
    const { rows } = await runSql(new URL('/gw_restored', infra.postgres.url).toString(), `SELECT count(*)::int AS n FROM operators WHERE role = 'admin'`);
    // 2000 admins, plus ids 100-120 except the three already admin (100, 110, 120).
    expect((rows[0] as { n: number }).n).toBe(2000 + 18);
    expect(await codeOf(call('restoreBackup', { backupId: incremental.id, targets }))).toMatch(/^FAILED_PRECONDITION: .*already exist/);
    expect(await codeOf(call('restoreBackup', { backupId: incremental.id, targets: [{ source: 'gateway', database: 'Bad-Name' }] }))).toMatch(
      /^INVALID_ARGUMENT: targets\[0\]\.database/,
    );
    expect(await codeOf(call('restoreBackup', { backupId: incremental.id, targets: [{ source: 'other', database: 'x_restored' }] }))).toMatch(
      /^NOT_FOUND: .*no source "other"/,
    );
  });

  it('prune keeps what a kept backup depends on, removes the rest, and the kept ones still verify', async () => {
    const kept = await waitForJob((await call<backupV1.PruneResponse>('prune', { retention: { keepLast: 1 } })).job!.id);
    expect(kept.prune!.removedBackupIds).toEqual([]); // the INCREMENTAL needs its FULL
    const second = (await waitForJob((await call<backupV1.CreateBackupResponse>('createBackup', { type: T.BACKUP_TYPE_FULL })).job!.id)).backup!;
    const pruned = (await waitForJob((await call<backupV1.PruneResponse>('prune', { retention: { keepLast: 1 } })).job!.id)).prune!;
    expect([...pruned.removedBackupIds].sort()).toEqual([full.id, incremental.id].sort());
    expect(pruned.keptBackupIds).toEqual([second.id]);
    expect(pruned.packsDeleted).toBeGreaterThan(0);
    const verified = await waitForJob((await call<backupV1.VerifyBackupResponse>('verifyBackup', { backupId: second.id, readData: true })).job!.id);
    expect(verified.verify!.ok).toBe(true);
  });

  it('policies: validated field by field; a cron schedule takes the policy backup, and fleetplane-migrate deploy waits for the migration.starting one before it migrates', async () => {
    const policy = (p: Record<string, unknown>) => ({ name: 'nightly', type: T.BACKUP_TYPE_FULL, enabled: true, cron: '0 3 * * *', ...p });
    expect(await codeOf(call('createPolicy', { policy: policy({ cron: 'every night' }) }))).toMatch(/^INVALID_ARGUMENT: policy\.cron/);
    expect(await codeOf(call('createPolicy', { policy: policy({ cron: '', trigger: '' }) }))).toMatch(/^INVALID_ARGUMENT: policy\.cron: a policy needs/);
    expect(await codeOf(call('createPolicy', { policy: policy({ trigger: 'deploy' }) }))).toMatch(/^INVALID_ARGUMENT: policy\.trigger/);
    expect(await codeOf(call('createPolicy', { policy: policy({ sources: ['nope'] }) }))).toMatch(/^INVALID_ARGUMENT: policy\.sources/);
    expect(await codeOf(call('createPolicy', { policy: policy({ name: 'Bad Name' }) }))).toMatch(/^INVALID_ARGUMENT: policy\.name/);

    // Every second (6 fields): the scheduler's first job takes a backup with the policy's retention after it.
    const every = (await call<backupV1.PolicyResponse>('createPolicy', { policy: policy({ name: 'often', cron: '* * * * * *', retention: { keepLast: 5 } }) }))
      .policy!;
    expect(await codeOf(call('createPolicy', { policy: policy({ name: 'often' }) }))).toMatch(/^ALREADY_EXISTS/);
    let scheduled: backupV1.BackupJob | undefined;
    for (let i = 0; i < 100 && !scheduled; i++) {
      scheduled = (await call<backupV1.ListJobsResponse>('listJobs', {})).jobs.find((j) => j.policyId === every.id);
      if (!scheduled) await sleep(100);
    }
    expect(scheduled).toMatchObject({ kind: 'JOB_KIND_BACKUP', requestedBy: 'policy:often (schedule)' });
    await call('updatePolicy', { policyId: every.id, policy: { enabled: false }, updateMask: ['enabled'] });
    expect((await waitForJob(scheduled!.id)).state).toBe('JOB_STATE_SUCCEEDED');
    // Its retention follows as a PRUNE job.
    let prune: backupV1.BackupJob | undefined;
    for (let i = 0; i < 100 && !prune; i++) {
      prune = (await call<backupV1.ListJobsResponse>('listJobs', {})).jobs.find((j) => j.policyId === every.id && j.kind === backupV1.JobKind.JOB_KIND_PRUNE);
      if (!prune) await sleep(100);
    }
    expect((await waitForJob(prune!.id)).prune!.keptBackupIds.length).toBeGreaterThan(0);
    await call('deletePolicy', { policyId: every.id });
    expect(await codeOf(call('deletePolicy', { policyId: every.id }))).toMatch(/^NOT_FOUND/);

    const before = (await call<backupV1.PolicyResponse>('createPolicy', { policy: policy({ name: 'pre-migration', cron: '', trigger: 'migration.starting' }) }))
      .policy!;
    expect((await call<backupV1.ListPoliciesResponse>('listPolicies', {})).policies.map((p) => p.name)).toEqual(['pre-migration']);
    // The real migrator, as a migration Job runs it: it announces the pending migrations, waits
    // for the backup the policy takes, and only then migrates (here: backup's own schema into a new database).
    const migrated = await infra.postgres.createDatabase('fleet_command_next');
    const migrate = () =>
      promisify(execFile)(process.execPath, [MIGRATOR, 'deploy'], {
        cwd: appDir,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: migrated,
          MIGRATE_NATS_URL: infra.nats.url,
          MIGRATE_SERVICE: 'command',
          MIGRATE_BACKUP_WAIT_SECONDS: '60',
        },
      });
    const { stdout } = await migrate();
    const triggered = (await call<backupV1.ListJobsResponse>('listJobs', {})).jobs.find((j) => j.policyId === before.id);
    expect(triggered?.requestedBy).toBe('policy:pre-migration (migration of command)');
    expect(triggered?.state).toBe('JOB_STATE_SUCCEEDED');
    const waited = stdout.indexOf(`backup job ${triggered!.id} succeeded`);
    expect(waited, stdout).toBeGreaterThan(stdout.indexOf('announced migration.starting for command'));
    expect(stdout.indexOf('Applied ')).toBeGreaterThan(waited);
    const { rows } = await runSql(migrated, 'SELECT min(started_at) AS t FROM _prisma_migrations');
    expect(Date.parse(triggered!.finishedAt)).toBeLessThanOrEqual((rows[0] as { t: Date }).t.getTime());
    // Nothing pending the second time: nothing announced, no backup taken.
    expect((await migrate()).stdout).toBe('No pending migrations.\n');
    expect((await call<backupV1.ListJobsResponse>('listJobs', {})).jobs.filter((j) => j.policyId === before.id)).toHaveLength(1);
  });

  it('a backup interrupted by kill -9 of the service is taken up again after the restart and completes', async () => {
    // Holding an exclusive lock on the source table keeps the backup RUNNING (its snapshot's row
    // count waits for the lock) until the test lets go.
    const blocker = new pg.Client({ connectionString: sourceUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE operators IN ACCESS EXCLUSIVE MODE');
      const { job } = await call<backupV1.CreateBackupResponse>('createBackup', { type: T.BACKUP_TYPE_FULL });
      await waitForJob(job!.id, (j) => j.state === backupV1.JobState.JOB_STATE_RUNNING);
      await service.stop('SIGKILL');
      client.close();
      await startService();
      client = await createGrpcClient('backup', `127.0.0.1:${env.GRPC_PORT}`);
      // The stalled check finds it once its lock lapses and runs it again (attempt 2).
      await waitForJob(job!.id, (j) => j.attempts === 2 && j.state === backupV1.JobState.JOB_STATE_RUNNING);
      await blocker.query('COMMIT');
      const done = await waitForJob(job!.id);
      expect(done).toMatchObject({ state: 'JOB_STATE_SUCCEEDED', attempts: 2 });
      expect(done.backup!.sources[0]!.rowCounts).toEqual({ 'public.operators': '20000' });
    } finally {
      await blocker.end().catch(() => undefined);
    }
  });
});
