import { Module } from '@nestjs/common';
import { backupV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import { AuditModule } from '../audit/audit.module.js';
import type { GatewayConfig } from '../config.js';
import { BackupJobsController, BackupPoliciesController, BackupsController } from './backups.controller.js';
import { BACKUP, BackupsService } from './backups.service.js';

/**
 * /backups, /backup-jobs and /backup-policies, answered by the backup service over gRPC. backup is
 * not a readiness dependency: while it is down these routes answer 503 and the rest of the API
 * keeps working.
 */
@Module({
  imports: [
    AuditModule,
    GrpcClientModule.register({
      upstream: BACKUP,
      key: 'backup',
      service: backupV1.BACKUP_SERVICE_NAME,
      url: (config: GatewayConfig) => config.BACKUP_GRPC_URL,
      timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
    }),
  ],
  controllers: [BackupsController, BackupJobsController, BackupPoliciesController],
  providers: [BackupsService],
})
export class BackupsModule {}
