import { retentionPolicySchema } from '@fleetplane/backup-repository';
import { z } from 'zod';

/**
 * The validated request a job row carries in `params`, one shape per kind; read back through these
 * schemas before a worker acts on it (a row that does not parse fails its job permanently).
 */
export const backupParamsSchema = z.object({
  type: z.enum(['FULL', 'INCREMENTAL', 'DIFFERENTIAL', 'SNAPSHOT']),
  sources: z.array(z.string()).min(1),
  /** A policy's retention, applied (as a PRUNE job) after the backup succeeds. */
  thenPrune: retentionPolicySchema.optional(),
});
export const restoreParamsSchema = z.object({ backupId: z.string(), targets: z.record(z.string(), z.string()) });
export const verifyParamsSchema = z.object({ backupId: z.string(), readData: z.boolean(), samplePercent: z.number().int().min(1).max(100) });
export const pruneParamsSchema = z.object({ retention: retentionPolicySchema });

export type BackupParams = z.infer<typeof backupParamsSchema>;
export type RestoreParams = z.infer<typeof restoreParamsSchema>;
export type VerifyParams = z.infer<typeof verifyParamsSchema>;
export type PruneParams = z.infer<typeof pruneParamsSchema>;
