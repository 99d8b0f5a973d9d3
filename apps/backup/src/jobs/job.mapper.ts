import { backupV1 } from '@fleetplane/contracts/grpc';
import type { EventPayload } from '@fleetplane/contracts';
import type { Job } from '../generated/prisma/client.js';
import type { JobProgressSnapshot } from './job-store.js';

const KIND = {
  BACKUP: backupV1.JobKind.JOB_KIND_BACKUP,
  RESTORE: backupV1.JobKind.JOB_KIND_RESTORE,
  VERIFY: backupV1.JobKind.JOB_KIND_VERIFY,
  PRUNE: backupV1.JobKind.JOB_KIND_PRUNE,
} as const;
const STATE = {
  QUEUED: backupV1.JobState.JOB_STATE_QUEUED,
  RUNNING: backupV1.JobState.JOB_STATE_RUNNING,
  SUCCEEDED: backupV1.JobState.JOB_STATE_SUCCEEDED,
  FAILED: backupV1.JobState.JOB_STATE_FAILED,
  CANCELLED: backupV1.JobState.JOB_STATE_CANCELLED,
} as const;
const TYPE = {
  FULL: backupV1.BackupType.BACKUP_TYPE_FULL,
  INCREMENTAL: backupV1.BackupType.BACKUP_TYPE_INCREMENTAL,
  DIFFERENTIAL: backupV1.BackupType.BACKUP_TYPE_DIFFERENTIAL,
  SNAPSHOT: backupV1.BackupType.BACKUP_TYPE_SNAPSHOT,
} as const;

export const NO_PROGRESS: JobProgressSnapshot = { bytesRead: 0, bytesStored: 0, dedupRatio: 0, bytesExpected: 0, etaSeconds: null };

export const progressOf = (job: Job): JobProgressSnapshot => ({ ...NO_PROGRESS, ...(job.progress as Partial<JobProgressSnapshot> | null) });

/** A catalogue row as the gRPC message; a SUCCEEDED job's stored result goes in the field of its kind. */
export function toProtoJob(job: Job): backupV1.BackupJob {
  const progress = progressOf(job);
  const result = job.state === 'SUCCEEDED' ? job.result : null;
  return {
    id: job.id,
    kind: KIND[job.kind],
    state: STATE[job.state],
    type: job.type ? TYPE[job.type] : backupV1.BackupType.BACKUP_TYPE_UNSPECIFIED,
    sources: job.sources,
    backupId: job.backupId ?? '',
    requestedBy: job.requestedBy,
    policyId: job.policyId ?? '',
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? '',
    finishedAt: job.finishedAt?.toISOString() ?? '',
    error: job.error ?? '',
    attempts: job.attempts,
    progress: { ...progress, etaSeconds: progress.etaSeconds ?? -1 },
    backup: job.kind === 'BACKUP' && result ? (result as unknown as backupV1.Backup) : undefined,
    verify: job.kind === 'VERIFY' && result ? (result as unknown as backupV1.VerifyResult) : undefined,
    restore: job.kind === 'RESTORE' && result ? (result as unknown as backupV1.RestoreResult) : undefined,
    prune: job.kind === 'PRUNE' && result ? (result as unknown as backupV1.PruneResult) : undefined,
  };
}

/** The `backup.updated` event for a row. */
export function toJobEvent(job: Job, at: Date): EventPayload<'backup.updated'> {
  return {
    jobId: job.id,
    kind: job.kind,
    state: job.state,
    ...(job.backupId ? { backupId: job.backupId } : {}),
    progress: progressOf(job),
    ...(job.error ? { error: job.error } : {}),
    at: at.toISOString(),
  };
}
