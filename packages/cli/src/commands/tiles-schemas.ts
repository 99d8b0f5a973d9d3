import { z } from 'zod';
import type { Describes, Reads } from '../api/document-agreement.js';
import type { DocSchema } from '../api/document.js';

// The gateway's /tiles answers, parsed, not trusted (as api/schemas.ts does for the rest);
// TilesAgreement fails the build when one drifts from the OpenAPI document.

const instant = z.string();

export const tileJobSchema = z.object({
  id: z.string(),
  state: z.enum(['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']),
  programHash: z.string(),
  requestedBy: z.string(),
  timeoutMs: z.number().int(),
  createdAt: instant,
  startedAt: instant.nullable(),
  finishedAt: instant.nullable(),
  error: z.string().nullable(),
  sinks: z.array(z.string()),
  stats: z.object({
    rowsIn: z.number().int(),
    rowsOut: z.number().int(),
    partitions: z.number().int(),
    workers: z.number().int(),
    cache: z.enum(['memory', 'redis', 'none']),
    compileMs: z.number(),
    runMs: z.number(),
    partitionRetries: z.number().int(),
    estimatedPeakBytes: z.number(),
  }),
});
export type TileJob = z.infer<typeof tileJobSchema>;

export const tileJobResultSchema = z.object({
  job: tileJobSchema,
  results: z.array(
    z.object({
      sinkId: z.string(),
      rows: z.array(z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]))),
      totalRows: z.number().int(),
      offset: z.number().int(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export type TileJobResult = z.infer<typeof tileJobResultSchema>;

export const tileExplanationSchema = z.object({
  plan: z.string(),
  tiles: z.number().int(),
  stages: z.number().int(),
  estimatedPeakBytes: z.number(),
  estimatedMs: z.number(),
  programHash: z.string(),
});
export type TileExplanation = z.infer<typeof tileExplanationSchema>;

const tierSchema = z.object({ hits: z.number().int(), misses: z.number().int(), evictions: z.number().int(), bytes: z.number(), entries: z.number().int() });

export const tileStatsSchema = z.object({
  pool: z.object({
    maxWorkers: z.number().int(),
    threads: z.number().int(),
    queuedPartitions: z.number().int(),
    utilization: z.number(),
    completedPartitions: z.number().int(),
    partitionRetries: z.number().int(),
  }),
  cache: z.object({ memory: tierSchema, redis: tierSchema, hitRatio: z.number() }),
  compiledPrograms: z.object({ entries: z.number().int(), hits: z.number().int(), misses: z.number().int() }),
  queue: z.record(z.string(), z.number().int()),
});
export type TileStats = z.infer<typeof tileStatsSchema>;

export type TilesAgreement = [
  Reads<typeof tileJobSchema, DocSchema<'TileJob'>>,
  Describes<DocSchema<'TileJob'>, z.output<typeof tileJobSchema>>,
  Reads<typeof tileJobResultSchema, DocSchema<'TileJobResult'>>,
  Describes<DocSchema<'TileJobResult'>, z.output<typeof tileJobResultSchema>>,
  Reads<typeof tileExplanationSchema, DocSchema<'TileExplanation'>>,
  Describes<DocSchema<'TileExplanation'>, z.output<typeof tileExplanationSchema>>,
  Reads<typeof tileStatsSchema, DocSchema<'TileStats'>>,
  Describes<DocSchema<'TileStats'>, z.output<typeof tileStatsSchema>>,
];
