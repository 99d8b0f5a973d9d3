import type { backupV1 } from '@fleetplane/contracts/grpc';
import { BACKUP_TYPES, JOB_KINDS, JOB_STATES, type BackupJobView, type BackupPolicyView, type BackupView } from './backups.schemas.js';

// The backup service's messages as the REST API shows them: enum prefixes dropped, int64 (a string
// on the wire) as numbers, empty strings as null.

const strip = <T extends string>(value: string, prefix: string, allowed: readonly T[]): T | null => {
  const name = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return (allowed as readonly string[]).includes(name) ? (name as T) : null;
};
const num = (v: number | string | undefined): number => Number(v ?? 0);
const orNull = (s: string | undefined): string | null => (s ? s : null);

export const typeOf = (t: backupV1.BackupType | string): (typeof BACKUP_TYPES)[number] | null => strip(String(t), 'BACKUP_TYPE_', BACKUP_TYPES);
export const toProtoType = (t: (typeof BACKUP_TYPES)[number]) => `BACKUP_TYPE_${t}` as backupV1.BackupType;

export function toBackupView(b: backupV1.Backup): BackupView {
  return {
    id: b.id,
    type: typeOf(b.type) ?? 'FULL',
    parentId: orNull(b.parentId),
    dependsOn: b.dependsOn,
    startedAt: b.startedAt,
    completedAt: b.completedAt,
    sources: b.sources.map((s) => ({
      name: s.name,
      kind: s.kind,
      sizeBytes: num(s.sizeBytes),
      chunks: s.chunks,
      sha256: s.sha256,
      rowCounts: Object.fromEntries(Object.entries(s.rowCounts).map(([t, n]) => [t, num(n)])),
    })),
    bytesRead: num(b.bytesRead),
    bytesStored: num(b.bytesStored),
    chunks: b.chunks,
    newChunks: b.newChunks,
    compressionRatio: b.compressionRatio,
    dedupRatio: b.dedupRatio,
  };
}

export const toRestoredSourceView = (s: backupV1.RestoredSource) => ({
  source: s.source,
  database: s.database,
  sizeBytes: num(s.sizeBytes),
  tables: s.tables,
  rows: num(s.rows),
  mismatches: s.mismatches.map((m) => ({ table: m.table, expected: num(m.expected), actual: num(m.actual) })),
});

export function toBackupJobView(j: backupV1.BackupJob): BackupJobView {
  const p = j.progress;
  return {
    id: j.id,
    kind: strip(String(j.kind), 'JOB_KIND_', JOB_KINDS) ?? 'BACKUP',
    state: strip(String(j.state), 'JOB_STATE_', JOB_STATES) ?? 'QUEUED',
    type: typeOf(j.type),
    sources: j.sources,
    backupId: orNull(j.backupId),
    requestedBy: j.requestedBy,
    policyId: orNull(j.policyId),
    createdAt: j.createdAt,
    startedAt: orNull(j.startedAt),
    finishedAt: orNull(j.finishedAt),
    error: orNull(j.error),
    attempts: j.attempts,
    progress: {
      bytesRead: num(p?.bytesRead),
      bytesStored: num(p?.bytesStored),
      dedupRatio: p?.dedupRatio ?? 0,
      bytesExpected: num(p?.bytesExpected),
      etaSeconds: p && p.etaSeconds >= 0 ? p.etaSeconds : null,
    },
    backup: j.backup ? toBackupView(j.backup) : null,
    verify: j.verify ? { ok: j.verify.ok, packsChecked: j.verify.packsChecked, blobsChecked: j.verify.blobsChecked, errors: j.verify.errors } : null,
    restore: j.restore ? { sources: j.restore.sources.map(toRestoredSourceView) } : null,
    prune: j.prune
      ? {
          removedBackupIds: j.prune.removedBackupIds,
          keptBackupIds: j.prune.keptBackupIds,
          packsDeleted: j.prune.packsDeleted,
          packsRepacked: j.prune.packsRepacked,
          bytesFreed: num(j.prune.bytesFreed),
        }
      : null,
  };
}

export function toBackupPolicyView(p: backupV1.Policy): BackupPolicyView {
  const r = p.retention;
  return {
    id: p.id,
    name: p.name,
    cron: orNull(p.cron),
    trigger: orNull(p.trigger),
    type: typeOf(p.type) ?? 'FULL',
    sources: p.sources,
    retention: {
      keepLast: r?.keepLast ?? 0,
      keepHourly: r?.keepHourly ?? 0,
      keepDaily: r?.keepDaily ?? 0,
      keepWeekly: r?.keepWeekly ?? 0,
      keepMonthly: r?.keepMonthly ?? 0,
      keepYearly: r?.keepYearly ?? 0,
    },
    enabled: p.enabled,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}
