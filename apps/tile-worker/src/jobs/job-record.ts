import { z } from 'zod';
import { storedTelemetrySchema } from '../telemetry-source/telemetry-binding.js';

export const JOB_STATES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINAL_STATES: readonly JobState[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];
export const isFinal = (s: JobState) => FINAL_STATES.includes(s);

export const jobStatsSchema = z.object({
  rowsIn: z.number().int(),
  rowsOut: z.number().int(),
  partitions: z.number().int(),
  workers: z.number().int(),
  cache: z.enum(['memory', 'redis', 'none']),
  compileMs: z.number(),
  runMs: z.number(),
  partitionRetries: z.number().int(),
  estimatedPeakBytes: z.number(),
});
export type JobStats = z.infer<typeof jobStatsSchema>;

/** A job as stored in Redis (parsed on every read: Redis holds text, not our types). */
export const jobRecordSchema = z.object({
  id: z.string(),
  state: z.enum(JOB_STATES),
  programHash: z.string(),
  /** Hash of the bound data, the other half of the result cache key. */
  sourceFingerprint: z.string(),
  requestedBy: z.string(),
  timeoutMs: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  error: z.string().optional(),
  stats: jobStatsSchema,
  sinks: z.array(z.string()),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

/** A source binding as stored with the job: rows as parsed JSON, columns as plain number arrays, or a telemetry query read when the job runs. */
export const storedSourceSchema = z.object({
  tileId: z.string(),
  rows: z.array(z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]))).optional(),
  columns: z.record(z.string(), z.array(z.number())).optional(),
  telemetry: storedTelemetrySchema.optional(),
});
export type StoredSource = z.infer<typeof storedSourceSchema>;

/** What a worker needs to run the job, stored beside the record (not in the BullMQ job, which stays small). */
export const jobInputSchema = z.object({
  programJson: z.string(),
  sources: z.array(storedSourceSchema),
});
export type JobInput = z.infer<typeof jobInputSchema>;

/** Result rows by sink id, as stored. */
export const outputsSchema = z.record(z.string(), z.array(z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]))));
