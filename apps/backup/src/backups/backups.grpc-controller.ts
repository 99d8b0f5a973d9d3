import { Controller, Inject } from '@nestjs/common';
import { backupV1 } from '@fleetplane/contracts/grpc';
import { BackupsService } from './backups.service.js';

/** fleetplane.backup.v1.BackupService: each call is one service method (runService installs the error filter). */
@Controller()
@backupV1.BackupServiceControllerMethods()
export class BackupsGrpcController implements backupV1.BackupServiceController {
  constructor(@Inject(BackupsService) private readonly backups: BackupsService) {}

  async createBackup(req: backupV1.CreateBackupRequest): Promise<backupV1.CreateBackupResponse> {
    return { backup: await this.backups.create(req) };
  }

  async listBackups(): Promise<backupV1.ListBackupsResponse> {
    return { backups: await this.backups.list() };
  }

  async getBackup(req: backupV1.GetBackupRequest): Promise<backupV1.GetBackupResponse> {
    return { backup: await this.backups.get(req.backupId) };
  }

  verifyBackup(req: backupV1.VerifyBackupRequest): Promise<backupV1.VerifyBackupResponse> {
    return this.backups.verify(req);
  }

  restoreBackup(req: backupV1.RestoreBackupRequest): Promise<backupV1.RestoreBackupResponse> {
    return this.backups.restore(req);
  }

  prune(req: backupV1.PruneRequest): Promise<backupV1.PruneResponse> {
    return this.backups.prune(req);
  }
}
