import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import {
  backupIdParam,
  backupJobIdParam,
  backupPolicyIdParam,
  createBackupBody,
  createPolicyBody,
  pruneBackupsBody,
  restoreBackupBody,
  updatePolicyBody,
  verifyBackupBody,
  type BackupJobView,
  type BackupPolicyView,
  type BackupView,
  type CreateBackupBody,
  type CreatePolicyBody,
  type PruneBackupsBody,
  type RestoreAnswer,
  type RestoreBackupBody,
  type UpdatePolicyBody,
  type VerifyBackupBody,
} from './backups.schemas.js';
import { BackupsService } from './backups.service.js';

// Reading backups, jobs and policies takes a viewer and the backups:read scope; starting backups and
// verifies, and cancelling jobs, an operator; restores, prunes and policy changes an admin; every
// mutation the backups:write scope (which implies backups:read for a key: see auth/scopes.ts).

@Controller('backups')
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  /** 202: the job is queued; follow it with GET /backup-jobs/:id. */
  @Post()
  @HttpCode(202)
  @RequireRole('operator', 'backup.create')
  @RequireScope('backups:write')
  create(@CurrentCaller() caller: Caller, @Body(new ZodPipe(createBackupBody)) body: CreateBackupBody): Promise<BackupJobView> {
    return this.backups.create(caller, body);
  }

  @Get()
  @RequireRole('viewer')
  @RequireScope('backups:read')
  list(): Promise<{ backups: BackupView[] }> {
    return this.backups.list();
  }

  @Post('prune')
  @HttpCode(202)
  @RequireRole('admin', 'backup.prune')
  @RequireScope('backups:write')
  prune(@CurrentCaller() caller: Caller, @Body(new ZodPipe(pruneBackupsBody)) body: PruneBackupsBody): Promise<BackupJobView> {
    return this.backups.prune(caller, body);
  }

  @Get(':id')
  @RequireRole('viewer')
  @RequireScope('backups:read')
  get(@Param('id', new ZodPipe(backupIdParam, 'id')) id: string): Promise<BackupView> {
    return this.backups.get(id);
  }

  @Post(':id/verify')
  @HttpCode(202)
  @RequireRole('operator', 'backup.verify')
  @RequireScope('backups:write')
  verify(
    @CurrentCaller() caller: Caller,
    @Param('id', new ZodPipe(backupIdParam, 'id')) id: string,
    @Body(new ZodPipe(verifyBackupBody)) body: VerifyBackupBody,
  ): Promise<BackupJobView> {
    return this.backups.verify(caller, id, body);
  }

  @Post(':id/restore')
  @HttpCode(202)
  @RequireRole('admin', 'backup.restore')
  @RequireScope('backups:write')
  restore(
    @CurrentCaller() caller: Caller,
    @Param('id', new ZodPipe(backupIdParam, 'id')) id: string,
    @Body(new ZodPipe(restoreBackupBody)) body: RestoreBackupBody,
  ): Promise<RestoreAnswer> {
    return this.backups.restore(caller, id, body);
  }
}

@Controller('backup-jobs')
export class BackupJobsController {
  constructor(private readonly backups: BackupsService) {}

  @Get(':id')
  @RequireRole('viewer')
  @RequireScope('backups:read')
  get(@Param('id', new ZodPipe(backupJobIdParam, 'id')) id: string): Promise<BackupJobView> {
    return this.backups.getJob(id);
  }

  /** 200 with the job: CANCELLED (or still RUNNING if it did not stop in time: ask again); 409 when it has ended. */
  @Post(':id/cancel')
  @HttpCode(200)
  @RequireRole('operator', 'backup_job.cancel')
  @RequireScope('backups:write')
  cancel(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(backupJobIdParam, 'id')) id: string): Promise<BackupJobView> {
    return this.backups.cancelJob(caller, id);
  }
}

@Controller('backup-policies')
export class BackupPoliciesController {
  constructor(private readonly backups: BackupsService) {}

  @Get()
  @RequireRole('viewer')
  @RequireScope('backups:read')
  list(): Promise<{ policies: BackupPolicyView[] }> {
    return this.backups.listPolicies();
  }

  @Post()
  @HttpCode(201)
  @RequireRole('admin', 'backup_policy.create')
  @RequireScope('backups:write')
  create(@CurrentCaller() caller: Caller, @Body(new ZodPipe(createPolicyBody)) body: CreatePolicyBody): Promise<BackupPolicyView> {
    return this.backups.createPolicy(caller, body);
  }

  @Patch(':id')
  @RequireRole('admin', 'backup_policy.update')
  @RequireScope('backups:write')
  update(
    @CurrentCaller() caller: Caller,
    @Param('id', new ZodPipe(backupPolicyIdParam, 'id')) id: string,
    @Body(new ZodPipe(updatePolicyBody)) body: UpdatePolicyBody,
  ): Promise<BackupPolicyView> {
    return this.backups.updatePolicy(caller, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin', 'backup_policy.delete')
  @RequireScope('backups:write')
  delete(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(backupPolicyIdParam, 'id')) id: string): Promise<void> {
    return this.backups.deletePolicy(caller, id);
  }
}
