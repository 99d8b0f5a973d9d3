import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@fleetplane/service-kit';
import { NatsModule } from '@fleetplane/service-kit/nats';
import { PrismaModule } from '@fleetplane/service-kit/prisma';
import { QueueModule } from '@fleetplane/service-kit/queue';
import { RedisModule } from '@fleetplane/service-kit/redis';
import { CommandsModule } from './commands/commands.module.js';
import type { CommandConfig } from './config.js';
import { DispatchModule } from './dispatch/dispatch.module.js';
import { PrismaClient } from './generated/prisma/client.js';
import { QUEUE_PREFIX } from './queue/jobs.js';
import { ResultsModule } from './results/results.module.js';
import { StatisticsModule } from './statistics/statistics.module.js';

@Module({})
export class AppModule {
  static forRoot(config: CommandConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Infrastructure, most fundamental first: Nest closes global modules in reverse, so
        // NATS drains, then the queues and Redis close, then the database.
        ServiceCoreModule.forRoot({ service: 'command', config }),
        PrismaModule.forRoot(PrismaClient),
        RedisModule.forRoot({ default: {} }),
        QueueModule.forRoot({ prefix: QUEUE_PREFIX }),
        NatsModule.forRoot({ url: config.NATS_URL, name: 'command', replicas: config.JETSTREAM_REPLICAS }),
        // Features.
        CommandsModule,
        DispatchModule,
        ResultsModule,
        StatisticsModule,
      ],
    };
  }
}
