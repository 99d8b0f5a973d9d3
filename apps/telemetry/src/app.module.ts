import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@fleetplane/service-kit';
import { NatsModule } from '@fleetplane/service-kit/nats';
import { PrismaModule } from '@fleetplane/service-kit/prisma';
import { RedisModule } from '@fleetplane/service-kit/redis';
import { AlertsModule } from './alerts/alerts.module.js';
import type { TelemetryConfig } from './config.js';
import { HistoryModule } from './history/history.module.js';
import { PrismaClient } from './generated/prisma/client.js';
import { IngestModule } from './ingest/ingest.module.js';
import { SamplesModule } from './samples/samples.module.js';
import { StorageModule } from './storage/storage.module.js';

/**
 * Infrastructure first (Nest closes it in reverse: NATS drains, then Redis and the database
 * close), then the features. StorageModule before IngestModule: today's partitions exist before
 * the consumer takes its first sample.
 */
@Module({})
export class AppModule {
  static forRoot(config: TelemetryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'telemetry', config }),
        PrismaModule.forRoot(PrismaClient),
        RedisModule.forRoot({ default: {} }),
        NatsModule.forRoot({ url: config.NATS_URL, name: 'telemetry', replicas: config.JETSTREAM_REPLICAS }),
        StorageModule,
        SamplesModule,
        IngestModule,
        HistoryModule,
        AlertsModule,
      ],
    };
  }
}
