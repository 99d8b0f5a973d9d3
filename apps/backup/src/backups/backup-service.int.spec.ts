import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { backupV1, createGrpcClient, unary, type GrpcClient } from '@fleetplane/contracts/grpc';
import { freePort, runSql, SERVICE_NODE_ARGS, spawnProcess, startPostgres, type ManagedProcess, type PostgresHandle } from '@fleetplane/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built service as its own process, over gRPC, against real PostgreSQL and a repository in a
// temporary directory.
const appDir = new URL('../../', import.meta.url).pathname;
let postgres: PostgresHandle;
let service: ManagedProcess;
let client: GrpcClient;
let repoDir: string;
let sourceUrl: string;

const call = <T>(method: string, request: unknown) => unary<T>(client, method, request, 120_000);
const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: grpc.ServiceError) => `${grpc.status[e.code]}: ${e.details}`,
  );
const T = backupV1.BackupType;

beforeAll(async () => {
  postgres = await startPostgres();
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
  repoDir = await mkdtemp(join(tmpdir(), 'fleetplane-backup-svc-'));
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  service = spawnProcess('backup', process.execPath, [...SERVICE_NODE_ARGS], {
    cwd: appDir,
    env: {
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      BACKUP_REPOSITORY_PATH: repoDir,
      BACKUP_PASSPHRASE: 'service integration test',
      BACKUP_SOURCES: JSON.stringify({ gateway: reader.toString() }),
      BACKUP_RESTORE_URL: postgres.url,
      LOG_LEVEL: 'warn',
    },
  });
  await service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 30_000);
  client = await createGrpcClient('backup', `127.0.0.1:${grpcPort}`);
});

afterAll(async () => {
  client?.close();
  await service?.stop();
  await postgres?.stop();
  if (repoDir) await rm(repoDir, { recursive: true, force: true });
});

describe('fleetplane.backup.v1.BackupService', () => {
  it('refuses bad requests naming the field, and an INCREMENTAL before any FULL', async () => {
    expect(await codeOf(call('createBackup', { type: T.BACKUP_TYPE_UNSPECIFIED }))).toMatch(/^INVALID_ARGUMENT: type:/);
    expect(await codeOf(call('createBackup', { type: T.BACKUP_TYPE_FULL, sources: ['nope'] }))).toMatch(/^INVALID_ARGUMENT: sources: unknown source\(s\) nope/);
    expect(await codeOf(call('createBackup', { type: T.BACKUP_TYPE_INCREMENTAL }))).toMatch(/^FAILED_PRECONDITION: .*take a FULL first/);
    expect(await codeOf(call('getBackup', { backupId: '../etc' }))).toMatch(/^INVALID_ARGUMENT: backupId/);
    expect(await codeOf(call('getBackup', { backupId: '20261201t120000000z-00000000' }))).toMatch(/^NOT_FOUND/);
    expect(await codeOf(call('prune', { retention: {} }))).toMatch(/^INVALID_ARGUMENT: retention/);
  });

  let full: backupV1.Backup;
  let incremental: backupV1.Backup;
  it('takes a FULL and an INCREMENTAL; lists and gets them', async () => {
    full = (await call<backupV1.CreateBackupResponse>('createBackup', { type: T.BACKUP_TYPE_FULL, requestedBy: 'alice' })).backup!;
    expect(full.type).toBe('BACKUP_TYPE_FULL');
    expect(full.sources[0]!.rowCounts).toEqual({ 'public.operators': '20000' });
    await runSql(sourceUrl, `UPDATE operators SET role = 'admin' WHERE id BETWEEN 100 AND 120`);
    incremental = (await call<backupV1.CreateBackupResponse>('createBackup', { type: T.BACKUP_TYPE_INCREMENTAL })).backup!;
    expect(incremental.parentId).toBe(full.id);
    // (What each type stores is tested in runs/postgres-backup.int.spec.ts with small chunks; this
    // dump is a single chunk at the service's default 1 MiB average.)
    const listed = (await call<backupV1.ListBackupsResponse>('listBackups', {})).backups;
    expect(listed.map((b) => b.id)).toEqual([incremental.id, full.id]);
    expect((await call<backupV1.GetBackupResponse>('getBackup', { backupId: full.id })).backup!.id).toBe(full.id);
  });

  it('verifies with --read-data', async () => {
    const report = await call<backupV1.VerifyBackupResponse>('verifyBackup', { backupId: incremental.id, readData: true });
    expect(report).toMatchObject({ ok: true, errors: [] });
    expect(report.blobsChecked).toBeGreaterThan(0);
  });

  it('restores into a new database (dry run first), refuses an existing or badly named one', async () => {
    const dry = await call<backupV1.RestoreBackupResponse>('restoreBackup', {
      backupId: incremental.id,
      targets: [{ source: 'gateway', database: 'gw_restored' }],
      dryRun: true,
    });
    expect(dry.sources[0]).toMatchObject({ source: 'gateway', database: 'gw_restored', tables: 1, rows: '20000' });
    const done = await call<backupV1.RestoreBackupResponse>('restoreBackup', {
      backupId: incremental.id,
      targets: [{ source: 'gateway', database: 'gw_restored' }],
    });
    expect(done.sources[0]!.mismatches).toEqual([]);
    const { rows } = await runSql(new URL('/gw_restored', postgres.url).toString(), `SELECT count(*)::int AS n FROM operators WHERE role = 'admin'`);
    // 2000 admins, plus ids 100-120 except the three already admin (100, 110, 120).
    expect((rows[0] as { n: number }).n).toBe(2000 + 18);
    expect(await codeOf(call('restoreBackup', { backupId: incremental.id, targets: [{ source: 'gateway', database: 'gw_restored' }] }))).toMatch(
      /^FAILED_PRECONDITION: .*already exists/,
    );
    expect(await codeOf(call('restoreBackup', { backupId: incremental.id, targets: [{ source: 'gateway', database: 'Bad-Name' }] }))).toMatch(
      /^INVALID_ARGUMENT: targets\[0\]\.database/,
    );
    expect(await codeOf(call('restoreBackup', { backupId: incremental.id, targets: [{ source: 'other', database: 'x_restored' }] }))).toMatch(
      /^NOT_FOUND: .*no source "other"/,
    );
  });

  it('prune keeps what a kept backup depends on, removes the rest, and the kept ones still verify', async () => {
    const kept = await call<backupV1.PruneResponse>('prune', { retention: { keepLast: 1 } });
    expect(kept.removedBackupIds).toEqual([]); // the INCREMENTAL needs its FULL
    const second = (await call<backupV1.CreateBackupResponse>('createBackup', { type: T.BACKUP_TYPE_FULL })).backup!;
    const pruned = await call<backupV1.PruneResponse>('prune', { retention: { keepLast: 1 } });
    expect([...pruned.removedBackupIds].sort()).toEqual([full.id, incremental.id].sort());
    expect(pruned.keptBackupIds).toEqual([second.id]);
    expect(pruned.packsDeleted).toBeGreaterThan(0);
    expect((await call<backupV1.VerifyBackupResponse>('verifyBackup', { backupId: second.id, readData: true })).ok).toBe(true);
  });
});
