import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@fleetplane/service-kit';
import { QueueModule } from '@fleetplane/service-kit/queue';
import { RedisModule } from '@fleetplane/service-kit/redis';
import type { TileWorkerConfig } from './config.js';
import { JobsModule } from './jobs/jobs.module.js';
import { KEY_PREFIX } from './queue/jobs.js';

@Module({})
export class AppModule {
  static forRoot(config: TileWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Infrastructure, most fundamental first: Nest closes global modules in reverse.
        ServiceCoreModule.forRoot({ service: 'tile-worker', config }),
        RedisModule.forRoot({ default: {} }),
        QueueModule.forRoot({ prefix: KEY_PREFIX }),
        // Features.
        JobsModule,
      ],
    };
  }
}
