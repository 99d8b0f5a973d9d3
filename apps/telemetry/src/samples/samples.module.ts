import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { LatestSampleRepository } from './latest-sample.repository.js';
import { TelemetryGrpcController } from './telemetry.grpc-controller.js';

/** Queries on samples: the latest per agent (Redis) over gRPC. */
@Module({
  imports: [MetricsModule],
  controllers: [TelemetryGrpcController],
  providers: [LatestSampleRepository],
  exports: [LatestSampleRepository],
})
export class SamplesModule {}
