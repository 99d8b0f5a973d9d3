import { z } from 'zod';

/**
 * A tile program is the compiler's versioned JSON; its shape is checked by
 * tile-worker's compiler (whose 400 names the tile and field), so the gateway
 * only requires an object here.
 */
const program = z.record(z.string(), z.unknown(), { message: 'must be a tile program (an object with version and tiles)' });
const scalar = z.union([z.number(), z.string(), z.boolean()]);

export const tileTelemetryQuery = z
  .strictObject({
    agents: z
      .strictObject({
        agentIds: z.array(z.string().max(128)).max(100_000).default([]),
        site: z.string().max(128).default(''),
        labels: z.record(z.string().max(128), z.string().max(256)).default({}),
        all: z.boolean().default(false),
      })
      .describe('which agents: the fields are AND-ed, name at least one (all: true for every agent)'),
    metrics: z
      .array(z.string().max(64))
      .max(32)
      .default([])
      .describe("catalogue names (cpu_percent, disk_percent, load1, …) or short ones (cpu, memory, disk, swap); empty: those the tile's schema names"),
    from: z.string().max(64).default('').describe('RFC 3339, or relative to the submit (-90s, -30m, -1h, -7d); default: to − 1 h'),
    to: z.string().max(64).default('').describe('RFC 3339 or relative; default: the submit time'),
    resolution: z.enum(['auto', 'raw', '1m', '1h']).default('auto'),
  })
  .describe(
    "read from the telemetry service when the job runs; each point is a row with the tile's fields: agentId, site, t (epoch ms), samples, and metrics by name (the point's average, or <metric>_min|_max|_last)",
  );

export const tileSourceBinding = z
  .strictObject({
    tileId: z.string({ message: 'is required' }).min(1, 'is required').max(128),
    rows: z.array(z.record(z.string(), scalar), { message: 'must be a list of row objects' }).optional(),
    columns: z.record(z.string(), z.array(z.number({ message: 'must be numbers' })), { message: 'must map field names to number lists' }).optional(),
    telemetry: tileTelemetryQuery.optional(),
  })
  .refine((b) => [b.rows, b.columns, b.telemetry].filter((d) => d !== undefined).length === 1, {
    message: 'give one of rows, columns or telemetry',
    path: ['rows'],
  });

export const submitTileJobBody = z.strictObject({
  program,
  sources: z.array(tileSourceBinding, { message: 'must be a list of source bindings' }).max(64).default([]),
  timeoutMs: z.number({ message: 'must be a number of milliseconds' }).int('must be a whole number').min(1).optional(),
});
export type SubmitTileJobBody = z.infer<typeof submitTileJobBody>;

export const explainTilesBody = z.strictObject({
  program,
  sourceRows: z.record(z.string(), z.number().int().min(0), { message: 'must map source tile ids to row counts' }).default({}),
});
export type ExplainTilesBody = z.infer<typeof explainTilesBody>;

export const tileJobIdParam = z.uuid('must be a tile job id');

export const getTileJobQuery = z.object({
  resultLimit: z.coerce.number().int().min(1).max(10_000).optional(),
  cursor: z.string().max(512).optional(),
});
export type GetTileJobQuery = z.infer<typeof getTileJobQuery>;

// Responses.

export const TILE_JOB_STATES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'] as const;

export const tileJobStats = z.object({
  rowsIn: z.number().int(),
  rowsOut: z.number().int(),
  partitions: z.number().int().describe('partitions that ran on worker threads'),
  workers: z.number().int().describe('worker threads that ran at least one of them'),
  cache: z.enum(['memory', 'redis', 'none']).describe('the result cache tier that answered, or none'),
  compileMs: z.number(),
  runMs: z.number(),
  partitionRetries: z.number().int(),
  estimatedPeakBytes: z.number().describe("the compiler's estimate of intermediate bytes alive at once"),
});

export const tileJobView = z.object({
  id: z.string(),
  state: z.enum(TILE_JOB_STATES),
  programHash: z.string(),
  requestedBy: z.string().describe('the user id, or the API key id, that submitted it'),
  timeoutMs: z.number().int(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  error: z.string().nullable().describe('why it FAILED or TIMED_OUT (a failed partition is named), or who cancelled it'),
  sinks: z.array(z.string()),
  stats: tileJobStats,
});

export const tileSinkRows = z.object({
  sinkId: z.string(),
  rows: z.array(z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]))),
  totalRows: z.number().int().describe("all of the sink's rows, across pages"),
  offset: z.number().int().describe("index of this page's first row within the sink"),
});

export const tileJobResult = z.object({
  job: tileJobView,
  results: z.array(tileSinkRows).describe('empty until COMPLETED; one page across the sinks in program order'),
  nextCursor: z.string().nullable().describe('pass back as cursor for the next page of results; null on the last'),
});
export type TileJobResult = z.infer<typeof tileJobResult>;

export const tileExplanation = z.object({
  plan: z.string().describe("the compiler's explain() text"),
  tiles: z.number().int(),
  stages: z.number().int(),
  estimatedPeakBytes: z.number(),
  estimatedMs: z.number(),
  programHash: z.string(),
});

const cacheTier = z.object({ hits: z.number().int(), misses: z.number().int(), evictions: z.number().int(), bytes: z.number(), entries: z.number().int() });

export const tileStatsView = z.object({
  pool: z.object({
    maxWorkers: z.number().int(),
    threads: z.number().int(),
    queuedPartitions: z.number().int(),
    utilization: z.number().describe("share of the pool's capacity spent running partitions since start, 0..1"),
    completedPartitions: z.number().int(),
    partitionRetries: z.number().int(),
  }),
  cache: z.object({
    memory: cacheTier.describe('the in-process tier of the instance that answered'),
    redis: cacheTier.describe('the shared tier as seen by that instance (bytes and entries are not tracked)'),
    hitRatio: z.number(),
  }),
  compiledPrograms: z.object({ entries: z.number().int(), hits: z.number().int(), misses: z.number().int() }),
  queue: z.record(z.string(), z.number().int()).describe('jobs on the shared queue by state (waiting, active, delayed)'),
});
export type TileStatsView = z.infer<typeof tileStatsView>;
