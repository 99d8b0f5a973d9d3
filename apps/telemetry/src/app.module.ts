import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@fleetplane/observability';
import { NatsModule } from '@fleetplane/service-kit';
import { TELEMETRY_CONFIG, type TelemetryConfig } from './config.js';
import { RedisModule } from './redis/redis.module.js';
import { LatestSampleRepository } from './samples/latest-sample.repository.js';
import { SampleIngestService } from './samples/sample-ingest.service.js';
import { TelemetryGrpcController } from './samples/telemetry.grpc-controller.js';

@Module({})
export class AppModule {
  static forRoot(config: TelemetryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'telemetry' }),
        NatsModule.forRoot({ url: config.NATS_URL, name: 'telemetry' }),
        RedisModule.forRoot(config.REDIS_URL),
      ],
      controllers: [TelemetryGrpcController],
      providers: [{ provide: TELEMETRY_CONFIG, useValue: config }, LatestSampleRepository, SampleIngestService],
    };
  }
}
