import { fileURLToPath } from 'node:url';
import { Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { SERVICE_CONFIG } from '@fleetplane/service-kit';
import type { TileWorkerConfig } from '../config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { TileMetrics } from '../metrics/tile-metrics.js';
import { PartitionPool } from './partition-pool.js';

/** Closes the pool's threads when the app stops, after the job worker (which uses it) has stopped. */
@Injectable()
class PoolCloser implements OnModuleDestroy {
  constructor(@Inject(PartitionPool) private readonly pool: PartitionPool) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}

/** The worker-thread pool, sized by config. */
@Module({
  imports: [MetricsModule],
  providers: [
    {
      provide: PartitionPool,
      inject: [SERVICE_CONFIG, TileMetrics],
      useFactory: (c: TileWorkerConfig, metrics: TileMetrics) =>
        new PartitionPool({
          filename: fileURLToPath(new URL('./partition-worker.js', import.meta.url)),
          maxWorkers: c.MAX_WORKERS,
          idleTimeoutMs: c.WORKER_IDLE_TIMEOUT_MS,
          maxQueue: c.MAX_QUEUED_PARTITIONS,
          maxOldGenerationMb: c.WORKER_MAX_OLD_GENERATION_MB,
          partitionTimeoutMs: c.PARTITION_TIMEOUT_MS,
          retries: c.PARTITION_RETRIES,
          onRetry: (reason) => metrics.partitionRetried(reason),
        }),
    },
    PoolCloser,
  ],
  exports: [PartitionPool],
})
export class PoolModule {}
