import { Module } from '@nestjs/common';
import { QueueModule } from '@fleetplane/service-kit/queue';
import { ResultCache } from '../cache/result-cache.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PoolModule } from '../pool/pool.module.js';
import { ProgramCache } from '../programs/program-cache.js';
import { TILE_QUEUE } from '../queue/jobs.js';
import { TelemetryModule } from '../telemetry-source/telemetry.module.js';
import { JobRunner } from './job-runner.js';
import { JobStore } from './job-store.js';
import { JobWorker } from './job.worker.js';
import { JobsService } from './jobs.service.js';
import { TileStatsService } from './tile-stats.service.js';
import { TilesGrpcController } from './tiles.grpc-controller.js';

/**
 * Tile jobs end to end: the TileService gRPC API (submit, get, cancel,
 * explain, list, stats), the job records, the shared queue and its worker,
 * the compiled-program and result caches. Nothing else builds on it.
 */
@Module({
  imports: [QueueModule.registerQueue(TILE_QUEUE), MetricsModule, PoolModule, TelemetryModule],
  controllers: [TilesGrpcController],
  providers: [JobsService, JobStore, JobRunner, JobWorker, ProgramCache, ResultCache, TileStatsService],
})
export class JobsModule {}
