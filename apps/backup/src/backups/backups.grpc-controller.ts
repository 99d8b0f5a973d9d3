import { Controller, Inject } from '@nestjs/common';
import { backupV1 } from '@fleetplane/contracts/grpc';
import { PoliciesService } from '../policies/policies.service.js';
import { BackupsService } from './backups.service.js';

/** fleetplane.backup.v1.BackupService: each call is one service method (runService installs the error filter). */
@Controller()
@backupV1.BackupServiceControllerMethods()
export class BackupsGrpcController implements backupV1.BackupServiceController {
  constructor(
    @Inject(BackupsService) private readonly backups: BackupsService,
    @Inject(PoliciesService) private readonly policies: PoliciesService,
  ) {}

  async createBackup(req: backupV1.CreateBackupRequest): Promise<backupV1.CreateBackupResponse> {
    return { job: await this.backups.create(req) };
  }

  async listBackups(): Promise<backupV1.ListBackupsResponse> {
    return { backups: await this.backups.list() };
  }

  async getBackup(req: backupV1.GetBackupRequest): Promise<backupV1.GetBackupResponse> {
    return { backup: await this.backups.get(req.backupId) };
  }

  async verifyBackup(req: backupV1.VerifyBackupRequest): Promise<backupV1.VerifyBackupResponse> {
    return { job: await this.backups.verify(req) };
  }

  restoreBackup(req: backupV1.RestoreBackupRequest): Promise<backupV1.RestoreBackupResponse> {
    return this.backups.restore(req);
  }

  async prune(req: backupV1.PruneRequest): Promise<backupV1.PruneResponse> {
    return { job: await this.backups.prune(req) };
  }

  async getJob(req: backupV1.GetJobRequest): Promise<backupV1.GetJobResponse> {
    return { job: await this.backups.getJob(req.jobId) };
  }

  async cancelJob(req: backupV1.CancelJobRequest): Promise<backupV1.CancelJobResponse> {
    return { job: await this.backups.cancelJob(req) };
  }

  async listJobs(req: backupV1.ListJobsRequest): Promise<backupV1.ListJobsResponse> {
    return { jobs: await this.backups.listJobs(req.limit) };
  }

  async listPolicies(): Promise<backupV1.ListPoliciesResponse> {
    return { policies: await this.policies.list() };
  }

  async createPolicy(req: backupV1.CreatePolicyRequest): Promise<backupV1.PolicyResponse> {
    return { policy: await this.policies.create(req) };
  }

  async updatePolicy(req: backupV1.UpdatePolicyRequest): Promise<backupV1.PolicyResponse> {
    return { policy: await this.policies.update(req) };
  }

  async deletePolicy(req: backupV1.DeletePolicyRequest): Promise<backupV1.DeletePolicyResponse> {
    await this.policies.delete(req);
    return {};
  }
}
