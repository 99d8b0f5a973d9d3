import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@fleetplane/service-kit';
import type { BackupConfig } from '../config.js';
import { BackupMetrics } from '../metrics/backup-metrics.js';
import { BackupsGrpcController } from './backups.grpc-controller.js';
import { BackupsService } from './backups.service.js';
import { openRepository, REPOSITORY } from './repository.provider.js';

@Module({
  controllers: [BackupsGrpcController],
  providers: [{ provide: REPOSITORY, inject: [SERVICE_CONFIG], useFactory: (config: BackupConfig) => openRepository(config) }, BackupMetrics, BackupsService],
})
export class BackupsModule {}
