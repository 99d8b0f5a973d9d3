import type { tilesV1 } from '@fleetplane/contracts/grpc';
import type { z } from 'zod';
import type { TILE_JOB_STATES, tileJobView, tileSinkRows, TileStatsView } from './tiles.schemas.js';

// What the gateway answers for tile jobs: the schemas in tiles.schemas.ts, inferred.
export type TileJobView = z.infer<typeof tileJobView>;
type TileJobState = (typeof TILE_JOB_STATES)[number];
type SinkRows = z.infer<typeof tileSinkRows>;

const orNull = (s: string | undefined): string | null => (s ? s : null);
const stateName = (s: tilesV1.JobState | string): TileJobState => String(s).replace(/^JOB_STATE_/, '') as TileJobState;
const CACHE = new Set(['memory', 'redis', 'none']);

export function toTileJobView(j: tilesV1.Job): TileJobView {
  const s = j.stats;
  return {
    id: j.id,
    state: stateName(j.state),
    programHash: j.programHash,
    requestedBy: j.requestedBy,
    timeoutMs: j.timeoutMs,
    createdAt: j.createdAt,
    startedAt: orNull(j.startedAt),
    finishedAt: orNull(j.finishedAt),
    error: orNull(j.error),
    sinks: j.sinks ?? [],
    stats: {
      rowsIn: s?.rowsIn ?? 0,
      rowsOut: s?.rowsOut ?? 0,
      partitions: s?.partitions ?? 0,
      workers: s?.workers ?? 0,
      cache: (CACHE.has(s?.cache ?? '') ? s?.cache : 'none') as TileJobView['stats']['cache'],
      compileMs: s?.compileMs ?? 0,
      runMs: s?.runMs ?? 0,
      partitionRetries: s?.partitionRetries ?? 0,
      estimatedPeakBytes: s?.estimatedPeakBytes ?? 0,
    },
  };
}

/** A sink's page: the rows travel as JSON text over gRPC (records of mixed types). */
export function toSinkRows(r: tilesV1.SinkRows): SinkRows {
  return { sinkId: r.sinkId, rows: JSON.parse(r.rowsJson || '[]') as SinkRows['rows'], totalRows: r.totalRows, offset: r.offset };
}

const tier = (t: tilesV1.CacheTierStats | undefined) => ({
  hits: t?.hits ?? 0,
  misses: t?.misses ?? 0,
  evictions: t?.evictions ?? 0,
  bytes: t?.bytes ?? 0,
  entries: t?.entries ?? 0,
});

export function toTileStatsView(s: tilesV1.GetStatsResponse): TileStatsView {
  return {
    pool: {
      maxWorkers: s.pool?.maxWorkers ?? 0,
      threads: s.pool?.threads ?? 0,
      queuedPartitions: s.pool?.queuedPartitions ?? 0,
      utilization: s.pool?.utilization ?? 0,
      completedPartitions: s.pool?.completedPartitions ?? 0,
      partitionRetries: s.pool?.partitionRetries ?? 0,
    },
    cache: { memory: tier(s.memoryCache), redis: tier(s.redisCache), hitRatio: s.hitRatio },
    compiledPrograms: { entries: s.compiledPrograms, hits: s.compileHits, misses: s.compileMisses },
    queue: s.queue ?? {},
  };
}
