import { Module } from '@nestjs/common';
import { QueueModule } from '@fleetplane/service-kit/queue';
import { SERVICE_CONFIG } from '@fleetplane/service-kit';
import { SourceStatusStore } from '../catalogue/source-status.store.js';
import { LastSuccessRestorer } from '../catalogue/last-success-restorer.js';
import type { BackupConfig } from '../config.js';
import { BackupJobsWorker } from '../jobs/backup-jobs.worker.js';
import { JobEvents } from '../jobs/job-events.js';
import { JobCancellation } from '../jobs/job-cancellation.js';
import { JobExecutor } from '../jobs/job-executor.js';
import { JOBS_QUEUE } from '../jobs/job-queue.js';
import { JobReconciler } from '../jobs/job-reconciler.js';
import { JobStore } from '../jobs/job-store.js';
import { JobsService } from '../jobs/jobs.service.js';
import { RunningJobs } from '../jobs/running-jobs.js';
import { BackupMetrics } from '../metrics/backup-metrics.js';
import { MigrationTrigger } from '../policies/migration-trigger.js';
import { PoliciesService } from '../policies/policies.service.js';
import { PolicyFirer } from '../policies/policy-firer.js';
import { PolicyScheduler } from '../policies/policy-scheduler.js';
import { PolicyStore } from '../policies/policy-store.js';
import { RepositoryLock } from '../runs/repository-lock.js';
import { BackupsGrpcController } from './backups.grpc-controller.js';
import { BackupsService } from './backups.service.js';
import { openRepository, REPOSITORY } from './repository.provider.js';

/** The repository, the jobs that work on it (queue, worker, catalogue), the policies that schedule them, and the gRPC API. */
@Module({
  imports: [QueueModule.registerQueue(JOBS_QUEUE)],
  controllers: [BackupsGrpcController],
  providers: [
    { provide: REPOSITORY, inject: [SERVICE_CONFIG], useFactory: (config: BackupConfig) => openRepository(config) },
    { provide: RepositoryLock, useValue: new RepositoryLock() },
    BackupMetrics,
    SourceStatusStore,
    LastSuccessRestorer,
    JobStore,
    JobEvents,
    JobExecutor,
    RunningJobs,
    JobCancellation,
    JobsService,
    JobReconciler,
    PolicyStore,
    PolicyScheduler,
    PolicyFirer,
    PoliciesService,
    MigrationTrigger,
    BackupJobsWorker,
    BackupsService,
  ],
})
export class BackupsModule {}
