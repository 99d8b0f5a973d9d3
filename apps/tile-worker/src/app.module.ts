import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@fleetplane/service-kit';
import type { TileWorkerConfig } from './config.js';

/** A shell: health, readiness, metrics, logs and its configuration; features arrive in later slices. */
@Module({})
export class AppModule {
  static forRoot(config: TileWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceCoreModule.forRoot({ service: 'tile-worker', config })],
    };
  }
}
