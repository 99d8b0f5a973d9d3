import * as grpc from '@grpc/grpc-js';
import { backupV1, serveGrpc } from '@fleetplane/contracts/grpc';
import type { FakeServer } from './fake-peers.js';

// A real BackupService gRPC server with canned answers, for the gateway tests that only need backup
// to answer (the fuzz test, audit coverage). backups/backups.int.spec.ts runs the real backup service.

type Call<Req> = grpc.ServerUnaryCall<Req, unknown>;
type Cb = grpc.sendUnaryData<unknown>;
const fail = (code: grpc.status, details: string) => ({ code, details, name: 'Error', message: details }) as grpc.ServiceError;

const AT = '2026-01-01T00:00:00.000Z';
export const KNOWN_BACKUP = '20260101t000000000z-0a1b2c3d';
export const KNOWN_BACKUP_JOB = '11111111-1111-4111-8111-111111111111';
export const KNOWN_BACKUP_POLICY = '22222222-2222-4222-8222-222222222222';

const backup: backupV1.Backup = {
  id: KNOWN_BACKUP,
  type: backupV1.BackupType.BACKUP_TYPE_FULL,
  parentId: '',
  dependsOn: [],
  startedAt: AT,
  completedAt: AT,
  sources: [{ name: 'gateway', kind: 'postgres', sizeBytes: 1000, chunks: 1, sha256: 'ab'.repeat(32), rowCounts: { 'public.users': 1 } }],
  bytesRead: 1000,
  bytesStored: 400,
  chunks: 1,
  newChunks: 1,
  compressionRatio: 2.5,
  dedupRatio: 1,
};

const job = (kind: backupV1.JobKind, backupId = ''): backupV1.BackupJob => ({
  id: KNOWN_BACKUP_JOB,
  kind,
  state: backupV1.JobState.JOB_STATE_QUEUED,
  type: kind === backupV1.JobKind.JOB_KIND_BACKUP ? backupV1.BackupType.BACKUP_TYPE_FULL : backupV1.BackupType.BACKUP_TYPE_UNSPECIFIED,
  sources: [],
  backupId,
  requestedBy: 'someone',
  policyId: '',
  createdAt: AT,
  startedAt: '',
  finishedAt: '',
  error: '',
  attempts: 0,
  progress: { bytesRead: 0, bytesStored: 0, dedupRatio: 0, bytesExpected: 0, etaSeconds: -1 },
  backup: undefined,
  verify: undefined,
  restore: undefined,
  prune: undefined,
});

const policy = (p: Partial<backupV1.Policy> = {}): backupV1.Policy => ({
  id: KNOWN_BACKUP_POLICY,
  name: 'nightly',
  cron: '0 3 * * *',
  trigger: '',
  type: backupV1.BackupType.BACKUP_TYPE_FULL,
  sources: [],
  retention: { keepLast: 7, keepHourly: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0, keepYearly: 0 },
  enabled: true,
  createdAt: AT,
  updatedAt: AT,
  ...p,
});

/**
 * GetBackup / GetJob / UpdatePolicy / DeletePolicy: the known id, else NOT_FOUND. RestoreBackup:
 * FAILED_PRECONDITION for a target database named `existing`. CreatePolicy: ALREADY_EXISTS for `taken`.
 */
export async function startFakeBackup(): Promise<FakeServer> {
  const K = backupV1.JobKind;
  const known = (id: string, what: string, expected: string) => (id === expected ? undefined : fail(grpc.status.NOT_FOUND, `${what} ${id} not found`));
  const handlers: grpc.UntypedServiceImplementation = {
    createBackup: (_c: Call<unknown>, cb: Cb) => cb(null, { job: job(K.JOB_KIND_BACKUP) }),
    listBackups: (_c: Call<unknown>, cb: Cb) => cb(null, { backups: [backup] }),
    getBackup: (c: Call<backupV1.GetBackupRequest>, cb: Cb) => {
      const missing = known(c.request.backupId, 'backup', KNOWN_BACKUP);
      return missing ? cb(missing) : cb(null, { backup });
    },
    verifyBackup: (c: Call<backupV1.VerifyBackupRequest>, cb: Cb) => {
      const missing = known(c.request.backupId, 'backup', KNOWN_BACKUP);
      return missing ? cb(missing) : cb(null, { job: job(K.JOB_KIND_VERIFY, c.request.backupId) });
    },
    restoreBackup: (c: Call<backupV1.RestoreBackupRequest>, cb: Cb) => {
      const missing = known(c.request.backupId, 'backup', KNOWN_BACKUP);
      if (missing) return cb(missing);
      if (c.request.targets.some((t) => t.database === 'existing')) return cb(fail(grpc.status.FAILED_PRECONDITION, 'database(s) existing already exist'));
      const plan = c.request.targets.map((t) => ({ source: t.source, database: t.database, sizeBytes: 1000, tables: 1, rows: 1, mismatches: [] }));
      cb(null, { job: c.request.dryRun ? undefined : job(K.JOB_KIND_RESTORE, c.request.backupId), dryRun: c.request.dryRun, plan });
    },
    prune: (_c: Call<unknown>, cb: Cb) => cb(null, { job: job(K.JOB_KIND_PRUNE) }),
    getJob: (c: Call<backupV1.GetJobRequest>, cb: Cb) => {
      const missing = known(c.request.jobId, 'job', KNOWN_BACKUP_JOB);
      return missing ? cb(missing) : cb(null, { job: job(K.JOB_KIND_BACKUP) });
    },
    cancelJob: (c: Call<backupV1.CancelJobRequest>, cb: Cb) => {
      const missing = known(c.request.jobId, 'job', KNOWN_BACKUP_JOB);
      return missing ? cb(missing) : cb(null, { job: { ...job(K.JOB_KIND_BACKUP), state: backupV1.JobState.JOB_STATE_CANCELLED, finishedAt: AT } });
    },
    listJobs: (_c: Call<unknown>, cb: Cb) => cb(null, { jobs: [job(K.JOB_KIND_BACKUP)] }),
    listPolicies: (_c: Call<unknown>, cb: Cb) => cb(null, { policies: [policy()] }),
    createPolicy: (c: Call<backupV1.CreatePolicyRequest>, cb: Cb) =>
      c.request.policy?.name === 'taken'
        ? cb(fail(grpc.status.ALREADY_EXISTS, 'a policy named taken exists'))
        : cb(null, { policy: policy({ name: c.request.policy?.name ?? 'nightly' }) }),
    updatePolicy: (c: Call<backupV1.UpdatePolicyRequest>, cb: Cb) => {
      const missing = known(c.request.policyId, 'policy', KNOWN_BACKUP_POLICY);
      return missing ? cb(missing) : cb(null, { policy: policy() });
    },
    deletePolicy: (c: Call<backupV1.DeletePolicyRequest>, cb: Cb) => {
      const missing = known(c.request.policyId, 'policy', KNOWN_BACKUP_POLICY);
      return missing ? cb(missing) : cb(null, {});
    },
  };
  return serveGrpc('backup', handlers);
}
