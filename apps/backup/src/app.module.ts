import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@fleetplane/service-kit';
import { BackupsModule } from './backups/backups.module.js';
import type { BackupConfig } from './config.js';

/** Infrastructure first, then the feature: backups of the configured databases into one repository, over gRPC. */
@Module({})
export class AppModule {
  static forRoot(config: BackupConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceCoreModule.forRoot({ service: 'backup', config }), BackupsModule],
    };
  }
}
