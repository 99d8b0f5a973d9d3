import { z } from 'zod';

// Requests.

export const BACKUP_TYPES = ['FULL', 'INCREMENTAL', 'DIFFERENTIAL', 'SNAPSHOT'] as const;
const backupType = z.enum(BACKUP_TYPES, { message: `must be one of ${BACKUP_TYPES.join(', ')}` });
const sourceName = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a configured source name');
const keep = z.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(100_000);

export const retentionBody = z.strictObject({
  keepLast: keep.optional(),
  keepHourly: keep.optional(),
  keepDaily: keep.optional(),
  keepWeekly: keep.optional(),
  keepMonthly: keep.optional(),
  keepYearly: keep.optional(),
});
export type RetentionBody = z.infer<typeof retentionBody>;

export const createBackupBody = z.strictObject({
  type: backupType,
  sources: z.array(sourceName).max(64).default([]).describe('configured source names; empty: all of them'),
});
export type CreateBackupBody = z.infer<typeof createBackupBody>;

export const backupIdParam = z.string().regex(/^[0-9a-z]{8}t[0-9]{9}z-[0-9a-f]{8}$/, 'must be a backup id (e.g. 20261201t120000000z-1a2b3c4d)');
export const backupJobIdParam = z.uuid('must be a backup job id');
export const backupPolicyIdParam = z.uuid('must be a backup policy id');

export const verifyBackupBody = z.strictObject({
  readData: z.boolean().default(false).describe('re-read and authenticate every chunk, not only the structure'),
  samplePercent: z.number().int().min(1).max(100).default(100).describe('with readData: the share of packs to read'),
});
export type VerifyBackupBody = z.infer<typeof verifyBackupBody>;

export const restoreBackupBody = z.strictObject({
  targets: z
    .array(
      z.strictObject({
        source: sourceName,
        database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case identifier (a-z, 0-9, _; at most 63)'),
      }),
    )
    .min(1, 'name at least one source and the new database to restore it into')
    .max(64),
  dryRun: z.boolean().default(false).describe('only list what would be restored where; nothing is queued or created'),
});
export type RestoreBackupBody = z.infer<typeof restoreBackupBody>;

export const pruneBackupsBody = retentionBody.refine((r) => Object.values(r).some((n) => n !== undefined && n > 0), {
  message: 'set at least one keep* rule (an empty policy would keep everything)',
  path: ['keepLast'],
});
export type PruneBackupsBody = z.infer<typeof pruneBackupsBody>;

export const POLICY_TRIGGERS = ['migration.starting'] as const;
const policyShape = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _ (at most 63)'),
  cron: z.string().max(128).describe('five fields (minute hour day month weekday), or six with seconds first; UTC. Empty or absent: none'),
  trigger: z.enum([...POLICY_TRIGGERS, ''], { message: `must be one of ${POLICY_TRIGGERS.join(', ')} (or empty)` }).describe('an event that takes the backup'),
  type: backupType,
  sources: z.array(sourceName).max(64).describe('empty: all configured sources'),
  retention: retentionBody.describe('applied (forget + prune) after each backup the policy takes'),
  enabled: z.boolean(),
};
export const createPolicyBody = z.strictObject({
  ...policyShape,
  cron: policyShape.cron.default(''),
  trigger: policyShape.trigger.default(''),
  sources: policyShape.sources.default([]),
  retention: policyShape.retention.default({}),
  enabled: policyShape.enabled.default(true),
});
export type CreatePolicyBody = z.infer<typeof createPolicyBody>;
export const updatePolicyBody = z
  .strictObject({
    name: policyShape.name.optional(),
    cron: policyShape.cron.optional(),
    trigger: policyShape.trigger.optional(),
    type: policyShape.type.optional(),
    sources: policyShape.sources.optional(),
    retention: policyShape.retention.optional(),
    enabled: policyShape.enabled.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'change at least one field', path: ['name'] });
export type UpdatePolicyBody = z.infer<typeof updatePolicyBody>;

// Responses.

export const backupSourceView = z.object({
  name: z.string(),
  kind: z.string(),
  sizeBytes: z.number(),
  chunks: z.number().int(),
  sha256: z.string(),
  rowCounts: z.record(z.string(), z.number()).describe('rows per table ("schema.table") counted in the dump\'s snapshot'),
});

export const backupView = z.object({
  id: z.string(),
  type: backupType,
  parentId: z.string().nullable().describe('the backup an INCREMENTAL or DIFFERENTIAL builds on'),
  dependsOn: z.array(z.string()).describe('the backups whose data this one needs to restore'),
  startedAt: z.string(),
  completedAt: z.string(),
  sources: z.array(backupSourceView),
  bytesRead: z.number(),
  bytesStored: z.number(),
  chunks: z.number().int(),
  newChunks: z.number().int(),
  compressionRatio: z.number(),
  dedupRatio: z.number(),
});
export type BackupView = z.infer<typeof backupView>;
export const backupList = z.object({ backups: z.array(backupView).describe('newest first') });

export const restoredSourceView = z.object({
  source: z.string(),
  database: z.string(),
  sizeBytes: z.number(),
  tables: z.number().int(),
  rows: z.number(),
  mismatches: z.array(z.object({ table: z.string(), expected: z.number(), actual: z.number().describe('-1: the table is missing') })),
});

export const JOB_KINDS = ['BACKUP', 'RESTORE', 'VERIFY', 'PRUNE'] as const;
export const JOB_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export const backupJobView = z.object({
  id: z.string(),
  kind: z.enum(JOB_KINDS),
  state: z.enum(JOB_STATES),
  type: backupType.nullable(),
  sources: z.array(z.string()),
  backupId: z.string().nullable().describe('the backup taken (BACKUP) or worked on (VERIFY, RESTORE)'),
  requestedBy: z.string(),
  policyId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable().describe('why it FAILED, or why a retry is pending'),
  attempts: z.number().int(),
  progress: z.object({
    bytesRead: z.number(),
    bytesStored: z.number(),
    dedupRatio: z.number(),
    bytesExpected: z.number().describe('what the previous backup of the same sources read; 0: unknown'),
    etaSeconds: z.number().nullable(),
  }),
  backup: backupView.nullable().describe('a SUCCEEDED BACKUP job: the backup'),
  verify: z.object({ ok: z.boolean(), packsChecked: z.number().int(), blobsChecked: z.number().int(), errors: z.array(z.string()) }).nullable(),
  restore: z.object({ sources: z.array(restoredSourceView) }).nullable(),
  prune: z
    .object({
      removedBackupIds: z.array(z.string()),
      keptBackupIds: z.array(z.string()),
      packsDeleted: z.number().int(),
      packsRepacked: z.number().int(),
      bytesFreed: z.number(),
    })
    .nullable(),
});
export type BackupJobView = z.infer<typeof backupJobView>;

export const restoreAnswer = z.object({
  dryRun: z.boolean(),
  job: backupJobView.nullable().describe('the RESTORE job; null for a dry run'),
  plan: z.array(restoredSourceView).describe('what is (or would be) restored where, with the row counts expected'),
});
export type RestoreAnswer = z.infer<typeof restoreAnswer>;

export const backupPolicyView = z.object({
  id: z.string(),
  name: z.string(),
  cron: z.string().nullable(),
  trigger: z.string().nullable(),
  type: backupType,
  sources: z.array(z.string()),
  retention: z.object({
    keepLast: z.number().int(),
    keepHourly: z.number().int(),
    keepDaily: z.number().int(),
    keepWeekly: z.number().int(),
    keepMonthly: z.number().int(),
    keepYearly: z.number().int(),
  }),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BackupPolicyView = z.infer<typeof backupPolicyView>;
export const backupPolicyList = z.object({ policies: z.array(backupPolicyView) });
