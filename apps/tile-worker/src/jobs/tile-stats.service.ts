import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { tilesV1 } from '@fleetplane/contracts/grpc';
import { InjectQueue } from '@fleetplane/service-kit/queue';
import { ResultCache } from '../cache/result-cache.js';
import { TileMetrics } from '../metrics/tile-metrics.js';
import { PartitionPool } from '../pool/partition-pool.js';
import { ProgramCache } from '../programs/program-cache.js';
import { TILE_QUEUE, type TileJob } from '../queue/jobs.js';

/** The pool, queue and cache figures: for GetStats and, at scrape time, for the gauges. */
@Injectable()
export class TileStatsService implements OnModuleInit {
  constructor(
    @Inject(PartitionPool) private readonly pool: PartitionPool,
    @Inject(ResultCache) private readonly cache: ResultCache,
    @Inject(ProgramCache) private readonly programs: ProgramCache,
    @InjectQueue(TILE_QUEUE) private readonly queue: Queue<TileJob>,
    @Inject(TileMetrics) private readonly metrics: TileMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics.readGaugesFrom({
      queue: () => this.queueDepth(),
      pool: () => this.pool.stats(),
      cache: () => {
        const c = this.cache.stats();
        return { memoryBytes: c.memory.bytes, memoryEntries: c.memory.entries, hitRatio: c.hitRatio };
      },
    });
  }

  async stats(): Promise<tilesV1.GetStatsResponse> {
    const pool = this.pool.stats();
    const cache = this.cache.stats();
    const compiled = this.programs.stats();
    return {
      pool: {
        maxWorkers: pool.maxWorkers,
        threads: pool.threads,
        queuedPartitions: pool.queued,
        utilization: pool.utilization,
        completedPartitions: pool.completed,
        partitionRetries: pool.retries,
      },
      memoryCache: cache.memory,
      redisCache: cache.redis,
      hitRatio: cache.hitRatio,
      compiledPrograms: compiled.size,
      compileHits: compiled.hits,
      compileMisses: compiled.misses,
      queue: await this.queueDepth(),
    };
  }

  private queueDepth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed');
  }
}
