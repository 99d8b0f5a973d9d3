import type { BackupType, Manifest } from '@fleetplane/backup-repository';
import { backupV1 } from '@fleetplane/contracts/grpc';

const TO_PROTO: Record<BackupType, backupV1.BackupType> = {
  FULL: backupV1.BackupType.BACKUP_TYPE_FULL,
  INCREMENTAL: backupV1.BackupType.BACKUP_TYPE_INCREMENTAL,
  DIFFERENTIAL: backupV1.BackupType.BACKUP_TYPE_DIFFERENTIAL,
  SNAPSHOT: backupV1.BackupType.BACKUP_TYPE_SNAPSHOT,
};

export function fromProtoType(type: backupV1.BackupType): BackupType | undefined {
  return (Object.entries(TO_PROTO) as Array<[BackupType, backupV1.BackupType]>).find(([, p]) => p === type)?.[0];
}

export function toProtoBackup(m: Manifest): backupV1.Backup {
  const { bytesRead, bytesStored, chunks, newChunks, newBytes } = m.stats;
  return {
    id: m.id,
    type: TO_PROTO[m.type],
    parentId: m.parent ?? '',
    dependsOn: m.dependsOn,
    startedAt: m.startedAt,
    completedAt: m.completedAt,
    sources: m.sources.map((s) => ({
      name: s.name,
      kind: s.kind,
      sizeBytes: s.size,
      chunks: s.chunks.length,
      sha256: s.sha256,
      rowCounts: (s.metadata as { rowCounts?: Record<string, number> }).rowCounts ?? {},
    })),
    bytesRead,
    bytesStored,
    chunks,
    newChunks,
    compressionRatio: bytesStored > 0 ? newBytes / bytesStored : 1,
    dedupRatio: newBytes > 0 ? bytesRead / newBytes : 0,
  };
}
