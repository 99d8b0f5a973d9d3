import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@fleetplane/service-kit';
import { NatsModule } from '@fleetplane/service-kit/nats';
import { PrismaModule } from '@fleetplane/service-kit/prisma';
import { QueueModule } from '@fleetplane/service-kit/queue';
import { RedisModule } from '@fleetplane/service-kit/redis';
import { BackupsModule } from './backups/backups.module.js';
import type { BackupConfig } from './config.js';
import { PrismaClient } from './generated/prisma/client.js';
import { QUEUE_PREFIX } from './jobs/job-queue.js';

/**
 * Infrastructure, most fundamental first (Nest closes global modules in reverse: NATS drains, then
 * the queue and Redis close, then the catalogue database), then the feature.
 */
@Module({})
export class AppModule {
  static forRoot(config: BackupConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'backup', config }),
        PrismaModule.forRoot(PrismaClient),
        RedisModule.forRoot({ default: {} }),
        QueueModule.forRoot({ prefix: QUEUE_PREFIX }),
        NatsModule.forRoot({ url: config.NATS_URL, name: 'backup' }),
        BackupsModule,
      ],
    };
  }
}
