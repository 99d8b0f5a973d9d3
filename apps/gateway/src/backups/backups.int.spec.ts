import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, runSql, SERVICE_NODE_ARGS, spawnProcess, startInfra, type Infra, type ManagedProcess } from '@fleetplane/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import { openStreamClient } from '../test/stream-client.js';
import type { BackupJobView, BackupPolicyView, BackupView, RestoreAnswer } from './backups.schemas.js';

// REST → the real backup service (the built apps/backup on the gateway's NATS, with its own
// PostgreSQL and Redis, a repository in a temporary directory) → back: backups taken, listed,
// verified, restored into a new database and pruned through the gateway, their backup.updated
// events on the gateway's live stream, policies managed, and the gateway's 400 / 403 / 404 / 409 /
// 503 answers, each held against the OpenAPI document.
const ADMIN = { email: 'backup-admin@example.com', password: 'backup-admin-password-1234' };
const backupDir = new URL('../../../backup/', import.meta.url).pathname;

let infra: Infra;
let backup: ManagedProcess;
let stack: GatewayStack;
let repoDir: string;
let admin: string;
let viewer: string;

const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, method, path, opts);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function finished(id: string): Promise<BackupJobView> {
  for (let i = 0; i < 300; i++) {
    const res = await call<BackupJobView>('GET', `/api/v1/backup-jobs/${id}`, { token: viewer });
    expect(res.status, res.text).toBe(200);
    if (res.body.state !== 'QUEUED' && res.body.state !== 'RUNNING') return res.body;
    await sleep(100);
  }
  throw new Error(`backup job ${id} did not finish`);
}

beforeAll(async () => {
  infra = await startInfra();
  const source = await infra.postgres.createDatabase('fleet_gateway');
  await runSql(source, `CREATE TABLE agents (id int PRIMARY KEY, name text NOT NULL)`);
  await runSql(source, `INSERT INTO agents SELECT g, 'agent-' || g FROM generate_series(1, 5000) g`);
  const catalogue = await infra.postgres.createDatabase('fleetplane_backup');
  await deployMigrations({ schemaPath: join(backupDir, 'prisma/schema.prisma'), migrationsDir: join(backupDir, 'prisma/migrations'), databaseUrl: catalogue });
  repoDir = await mkdtemp(join(tmpdir(), 'gateway-backups-'));
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  // The gateway first (backup is not its readiness dependency), so backup can publish on its NATS.
  stack = await startGatewayStack({ admin: ADMIN, env: { BACKUP_GRPC_URL: `127.0.0.1:${grpcPort}` } });
  backup = spawnProcess('backup', process.execPath, [...SERVICE_NODE_ARGS], {
    cwd: backupDir,
    env: {
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      DATABASE_URL: catalogue,
      REDIS_URL: infra.redis.url,
      NATS_URL: stack.natsUrl,
      BACKUP_REPOSITORY_PATH: repoDir,
      BACKUP_PASSPHRASE: 'gateway backups test',
      BACKUP_SOURCES: JSON.stringify({ gateway: source }),
      BACKUP_RESTORE_URL: infra.postgres.url,
      LOG_LEVEL: 'warn',
    },
  });
  await backup.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 30_000);
  admin = (await call<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: ADMIN })).body.accessToken;
  const viewerUser = { email: 'backup-viewer@example.com', password: 'backup-viewer-password-1234' };
  expect((await call('POST', '/api/v1/users', { token: admin, body: { ...viewerUser, role: 'viewer' } })).status).toBe(201);
  viewer = (await call<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: viewerUser })).body.accessToken;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await backup?.stop();
  await infra?.stop();
  if (repoDir) await rm(repoDir, { recursive: true, force: true });
});

describe('/api/v1/backups through the real backup service', () => {
  it('refuses bad input naming the field, and a viewer starting a backup', async () => {
    const bad = await call<{ field: string }>('POST', '/api/v1/backups', { token: admin, body: { type: 'WEEKLY' } });
    expect([bad.status, bad.body.field]).toEqual([400, 'type']);
    const unknown = await call<{ field: string; message: string }>('POST', '/api/v1/backups', { token: admin, body: { type: 'FULL', sources: ['nope'] } });
    expect([unknown.status, unknown.body.field]).toEqual([400, 'sources']);
    expect((await call('POST', '/api/v1/backups', { token: viewer, body: { type: 'FULL' } })).status).toBe(403);
    const early = await call<{ message: string }>('POST', '/api/v1/backups', { token: admin, body: { type: 'INCREMENTAL' } });
    expect([early.status, early.body.message]).toEqual([409, expect.stringMatching(/take a FULL first/)]);
    expect((await call('GET', '/api/v1/backups/20261201t120000000z-00000000', { token: viewer })).status).toBe(404);
    expect((await call('GET', `/api/v1/backup-jobs/${randomUUID()}`, { token: viewer })).status).toBe(404);
    const badId = await call<{ field: string }>('GET', '/api/v1/backups/latest', { token: viewer });
    expect([badId.status, badId.body.field]).toEqual([400, 'id']);
  });

  let taken: BackupView;
  let takenJob: string;
  it('takes a FULL (202, then followed to SUCCEEDED and on the live stream), lists and gets it', async () => {
    const stream = await openStreamClient(stack);
    stream.send({ type: 'auth', token: viewer });
    expect(await stream.next()).toEqual({ type: 'ready' });
    stream.send({ type: 'subscribe_backups' });
    expect(await stream.next()).toEqual({ type: 'backups_subscribed' });
    const res = await call<BackupJobView>('POST', '/api/v1/backups', { token: admin, body: { type: 'FULL' } });
    expect(res.status, res.text).toBe(202);
    expect(res.body).toMatchObject({ kind: 'BACKUP', state: 'QUEUED', type: 'FULL', sources: ['gateway'] });
    const done = await finished(res.body.id);
    expect(done.state, done.error ?? '').toBe('SUCCEEDED');
    taken = done.backup!;
    takenJob = done.id;
    expect(taken.sources[0]!.rowCounts).toEqual({ 'public.agents': 5000 });
    expect(done.progress.bytesRead).toBe(taken.bytesRead);
    const list = await call<{ backups: BackupView[] }>('GET', '/api/v1/backups', { token: viewer });
    expect(list.body.backups.map((b) => b.id)).toEqual([taken.id]);
    expect((await call<BackupView>('GET', `/api/v1/backups/${taken.id}`, { token: viewer })).body.type).toBe('FULL');
    // The job's events, as the backup service published them, reached the socket in order.
    const states: string[] = [];
    while (states.at(-1) !== 'SUCCEEDED') {
      const frame = (await stream.next()) as { type: string; jobId: string; state: string; backupId?: string };
      expect([frame.type, frame.jobId]).toEqual(['backup.updated', res.body.id]);
      states.push(frame.state);
      if (frame.state === 'SUCCEEDED') expect(frame.backupId).toBe(taken.id);
    }
    expect(states[0]).toBe('QUEUED');
    expect(states).toContain('RUNNING');
  });

  it('cancels jobs (operator): 409 for one that has ended, 404 for an unknown one, 403 for a viewer', async () => {
    const ended = await call<{ message: string }>('POST', `/api/v1/backup-jobs/${takenJob}/cancel`, { token: admin });
    expect([ended.status, ended.body.message]).toEqual([409, expect.stringMatching(/already ended \(SUCCEEDED\)/)]);
    expect((await call('POST', `/api/v1/backup-jobs/${randomUUID()}/cancel`, { token: admin })).status).toBe(404);
    expect((await call('POST', `/api/v1/backup-jobs/${takenJob}/cancel`, { token: viewer })).status).toBe(403);
    const badId = await call<{ field: string }>('POST', '/api/v1/backup-jobs/latest/cancel', { token: admin });
    expect([badId.status, badId.body.field]).toEqual([400, 'id']);
  });

  it('reads take the backups:read scope: a key with only telemetry:read is refused, one with backups:read (or backups:write) served', async () => {
    const key = async (role: string, scopes: string[]) => {
      const made = await call<{ key: string }>('POST', '/api/v1/api-keys', { token: admin, body: { name: `backups-${scopes.join('-')}`, role, scopes } });
      expect(made.status, made.text).toBe(201);
      return made.body.key;
    };
    const telemetryOnly = await key('viewer', ['telemetry:read']);
    const refused = await call<{ message: string }>('GET', '/api/v1/backups', { apiKey: telemetryOnly });
    expect([refused.status, refused.body.message]).toEqual([403, expect.stringMatching(/backups:read/)]);
    expect((await call('GET', `/api/v1/backup-jobs/${takenJob}`, { apiKey: telemetryOnly })).status).toBe(403);
    const reader = await key('viewer', ['backups:read']);
    const listed = await call<{ backups: BackupView[] }>('GET', '/api/v1/backups', { apiKey: reader });
    expect([listed.status, listed.body.backups?.map((b) => b.id)]).toEqual([200, [taken.id]]);
    expect((await call('GET', `/api/v1/backup-policies`, { apiKey: reader })).status).toBe(200);
    expect((await call('POST', '/api/v1/backups', { apiKey: reader, body: { type: 'FULL' } })).status).toBe(403);
    // A key made to start backups follows its jobs (keys from before backups:read existed keep working).
    const writer = await key('operator', ['backups:write']);
    expect((await call('GET', `/api/v1/backup-jobs/${takenJob}`, { apiKey: writer })).status).toBe(200);
  });

  it('verifies, restores into a new database (dry run first) and refuses an existing one with 409', async () => {
    const verify = await call<BackupJobView>('POST', `/api/v1/backups/${taken.id}/verify`, { token: admin, body: { readData: true } });
    expect(verify.status, verify.text).toBe(202);
    expect((await finished(verify.body.id)).verify).toMatchObject({ ok: true, errors: [] });

    const targets = [{ source: 'gateway', database: 'gateway_restored' }];
    const dry = await call<RestoreAnswer>('POST', `/api/v1/backups/${taken.id}/restore`, { token: admin, body: { targets, dryRun: true } });
    expect(dry.status, dry.text).toBe(202);
    expect(dry.body).toMatchObject({ dryRun: true, job: null, plan: [{ source: 'gateway', database: 'gateway_restored', rows: 5000 }] });
    const badName = await call<{ field: string }>('POST', `/api/v1/backups/${taken.id}/restore`, {
      token: admin,
      body: { targets: [{ source: 'gateway', database: 'X' }] },
    });
    expect([badName.status, badName.body.field]).toEqual([400, 'targets.0.database']);

    const restore = await call<RestoreAnswer>('POST', `/api/v1/backups/${taken.id}/restore`, { token: admin, body: { targets } });
    expect(restore.status, restore.text).toBe(202);
    const done = await finished(restore.body.job!.id);
    expect(done.state, done.error ?? '').toBe('SUCCEEDED');
    expect(done.restore!.sources[0]).toMatchObject({ database: 'gateway_restored', rows: 5000, mismatches: [] });
    const again = await call('POST', `/api/v1/backups/${taken.id}/restore`, { token: admin, body: { targets } });
    expect(again.status).toBe(409);
  });

  it('prunes (admin only) by retention', async () => {
    expect((await call('POST', '/api/v1/backups/prune', { token: viewer, body: { keepLast: 1 } })).status).toBe(403);
    const empty = await call<{ field: string }>('POST', '/api/v1/backups/prune', { token: admin, body: {} });
    expect([empty.status, empty.body.field]).toEqual([400, 'keepLast']);
    const res = await call<BackupJobView>('POST', '/api/v1/backups/prune', { token: admin, body: { keepLast: 1 } });
    expect(res.status, res.text).toBe(202);
    expect((await finished(res.body.id)).prune).toMatchObject({ removedBackupIds: [], keptBackupIds: [taken.id] });
  });

  it('manages policies: 400 naming the field, 201, list, PATCH, 409 for a name in use, DELETE, 404', async () => {
    const bad = await call<{ field: string }>('POST', '/api/v1/backup-policies', { token: admin, body: { name: 'nightly', type: 'FULL', cron: 'at three' } });
    expect([bad.status, bad.body.field]).toEqual([400, 'cron']);
    const created = await call<BackupPolicyView>('POST', '/api/v1/backup-policies', {
      token: admin,
      body: { name: 'nightly', type: 'FULL', cron: '0 3 * * *', retention: { keepDaily: 7 } },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ name: 'nightly', cron: '0 3 * * *', trigger: null, enabled: true, retention: { keepDaily: 7, keepLast: 0 } });
    expect((await call('POST', '/api/v1/backup-policies', { token: admin, body: { name: 'nightly', type: 'FULL', cron: '0 4 * * *' } })).status).toBe(409);
    const listed = await call<{ policies: BackupPolicyView[] }>('GET', '/api/v1/backup-policies', { token: viewer });
    expect(listed.body.policies.map((p) => p.name)).toEqual(['nightly']);
    const patched = await call<BackupPolicyView>('PATCH', `/api/v1/backup-policies/${created.body.id}`, {
      token: admin,
      body: { enabled: false, trigger: 'migration.starting' },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, trigger: 'migration.starting', cron: '0 3 * * *' });
    expect((await call('DELETE', `/api/v1/backup-policies/${created.body.id}`, { token: viewer })).status).toBe(403);
    expect((await call('DELETE', `/api/v1/backup-policies/${created.body.id}`, { token: admin })).status).toBe(204);
    expect((await call('DELETE', `/api/v1/backup-policies/${created.body.id}`, { token: admin })).status).toBe(404);
  });

  it('answers 503 while the backup service is down', async () => {
    await backup.stop();
    const res = await call<{ message: string }>('GET', '/api/v1/backups', { token: viewer });
    expect([res.status, res.body.message]).toEqual([503, 'backup service is unavailable']);
  });
});
