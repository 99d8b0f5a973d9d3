import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { LatestSampleRepository } from './latest-sample.repository.js';
import { SampleIngestService } from './sample-ingest.service.js';
import { TelemetryGrpcController } from './telemetry.grpc-controller.js';

/** Agent samples: ingest from JetStream, the latest per agent in Redis, GetLatestSample. */
@Module({
  imports: [MetricsModule],
  controllers: [TelemetryGrpcController],
  providers: [LatestSampleRepository, SampleIngestService],
})
export class SamplesModule {}
