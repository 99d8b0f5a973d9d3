import { z } from 'zod';
import type { Describes, Reads } from '../api/document-agreement.js';
import type { DocSchema } from '../api/document.js';

// The gateway's /backups, /backup-jobs and /backup-policies answers, parsed, not trusted (as
// api/schemas.ts does for the rest); BackupAgreement fails the build when one drifts from the
// OpenAPI document.

export const BACKUP_TYPES = ['FULL', 'INCREMENTAL', 'DIFFERENTIAL', 'SNAPSHOT'] as const;
export const FINAL_JOB_STATES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

const backupSchema = z.object({
  id: z.string(),
  type: z.enum(BACKUP_TYPES),
  parentId: z.string().nullable(),
  dependsOn: z.array(z.string()),
  startedAt: z.string(),
  completedAt: z.string(),
  sources: z.array(
    z.object({
      name: z.string(),
      kind: z.string(),
      sizeBytes: z.number(),
      chunks: z.number(),
      sha256: z.string(),
      rowCounts: z.record(z.string(), z.number()),
    }),
  ),
  bytesRead: z.number(),
  bytesStored: z.number(),
  chunks: z.number(),
  newChunks: z.number(),
  compressionRatio: z.number(),
  dedupRatio: z.number(),
});
export { backupSchema };
export type Backup = z.infer<typeof backupSchema>;
export const backupListSchema = z.object({ backups: z.array(backupSchema) });

const restoredSourceSchema = z.object({
  source: z.string(),
  database: z.string(),
  sizeBytes: z.number(),
  tables: z.number(),
  rows: z.number(),
  mismatches: z.array(z.object({ table: z.string(), expected: z.number(), actual: z.number() })),
});

export const backupJobSchema = z.object({
  id: z.string(),
  kind: z.enum(['BACKUP', 'RESTORE', 'VERIFY', 'PRUNE']),
  state: z.enum(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']),
  type: z.enum(BACKUP_TYPES).nullable(),
  sources: z.array(z.string()),
  backupId: z.string().nullable(),
  requestedBy: z.string(),
  policyId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  attempts: z.number(),
  progress: z.object({ bytesRead: z.number(), bytesStored: z.number(), dedupRatio: z.number(), bytesExpected: z.number(), etaSeconds: z.number().nullable() }),
  backup: backupSchema.nullable(),
  verify: z.object({ ok: z.boolean(), packsChecked: z.number(), blobsChecked: z.number(), errors: z.array(z.string()) }).nullable(),
  restore: z.object({ sources: z.array(restoredSourceSchema) }).nullable(),
  prune: z
    .object({
      removedBackupIds: z.array(z.string()),
      keptBackupIds: z.array(z.string()),
      packsDeleted: z.number(),
      packsRepacked: z.number(),
      bytesFreed: z.number(),
    })
    .nullable(),
});
export type BackupJob = z.infer<typeof backupJobSchema>;

export const restoreAnswerSchema = z.object({ dryRun: z.boolean(), job: backupJobSchema.nullable(), plan: z.array(restoredSourceSchema) });
export type RestoreAnswer = z.infer<typeof restoreAnswerSchema>;

const keepSchema = z.object({
  keepLast: z.number(),
  keepHourly: z.number(),
  keepDaily: z.number(),
  keepWeekly: z.number(),
  keepMonthly: z.number(),
  keepYearly: z.number(),
});
export const backupPolicySchema = z.object({
  id: z.string(),
  name: z.string(),
  cron: z.string().nullable(),
  trigger: z.string().nullable(),
  type: z.enum(BACKUP_TYPES),
  sources: z.array(z.string()),
  retention: keepSchema,
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BackupPolicy = z.infer<typeof backupPolicySchema>;
export const backupPolicyListSchema = z.object({ policies: z.array(backupPolicySchema) });

export type BackupAgreement = [
  Reads<typeof backupSchema, DocSchema<'Backup'>>,
  Describes<DocSchema<'Backup'>, z.output<typeof backupSchema>>,
  Reads<typeof backupListSchema, DocSchema<'BackupList'>>,
  Describes<DocSchema<'BackupList'>, z.output<typeof backupListSchema>>,
  Reads<typeof backupJobSchema, DocSchema<'BackupJob'>>,
  Describes<DocSchema<'BackupJob'>, z.output<typeof backupJobSchema>>,
  Reads<typeof restoreAnswerSchema, DocSchema<'RestoreAnswer'>>,
  Describes<DocSchema<'RestoreAnswer'>, z.output<typeof restoreAnswerSchema>>,
  Reads<typeof backupPolicySchema, DocSchema<'BackupPolicy'>>,
  Describes<DocSchema<'BackupPolicy'>, z.output<typeof backupPolicySchema>>,
  Reads<typeof backupPolicyListSchema, DocSchema<'BackupPolicyList'>>,
  Describes<DocSchema<'BackupPolicyList'>, z.output<typeof backupPolicyListSchema>>,
];
