import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job as QueueJob } from 'bullmq';
import type { backupV1 } from '@fleetplane/contracts/grpc';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { parseJobData, QueueHost, QueueWorker } from '@fleetplane/service-kit/queue';
import { SourceStatusStore } from '../catalogue/source-status.store.js';
import type { BackupConfig } from '../config.js';
import type { Job, Prisma } from '../generated/prisma/client.js';
import { BackupMetrics } from '../metrics/backup-metrics.js';
import { PolicyFirer } from '../policies/policy-firer.js';
import { RepositoryLock } from '../runs/repository-lock.js';
import { JobEvents } from './job-events.js';
import { JobExecutor, type JobOutcome } from './job-executor.js';
import { backupParamsSchema } from './job-params.js';
import { jobDataSchema, JOBS_QUEUE, POLICY_JOB, policyJobDataSchema } from './job-queue.js';
import { JobReconciler } from './job-reconciler.js';
import { backupJobRetryPolicy } from './job-retry-policy.js';
import { JobsService } from './jobs.service.js';
import { JobStore, type JobProgressSnapshot } from './job-store.js';
import { RunningJobs } from './running-jobs.js';

/** A finished backup's totals as its last progress (a backup quicker than one progress interval reports none on the way). */
function finalProgress(result: JobOutcome['result'], expected: number): JobProgressSnapshot | undefined {
  if (!('bytesRead' in result)) return undefined;
  return { bytesRead: result.bytesRead, bytesStored: result.bytesStored, dedupRatio: result.dedupRatio, bytesExpected: expected, etaSeconds: 0 };
}

/**
 * Runs the queued jobs, one at a time (concurrency 1 here, global concurrency 1 on the queue, and
 * the repository lock): marks the row RUNNING, does the work, records SUCCEEDED with the result or
 * FAILED with the reason (QUEUED again when a transient failure has attempts left), publishing
 * `backup.updated` at each step and the progress while a backup reads. A job whose process dies
 * is picked up again by BullMQ's stalled check once its lock lapses, and runs again from the start.
 * A cancel aborts the run's signal (RunningJobs): the run stops, commits nothing, and the row ends
 * CANCELLED; the BullMQ job is failed as unrecoverable so it is not retried.
 */
@Injectable()
export class BackupJobsWorker extends QueueWorker {
  protected readonly retryPolicy = backupJobRetryPolicy;

  constructor(
    @Inject(QueueHost) host: QueueHost,
    @InjectConfig() config: BackupConfig,
    @Inject(JobStore) private readonly store: JobStore,
    @Inject(JobEvents) private readonly events: JobEvents,
    @Inject(JobExecutor) private readonly executor: JobExecutor,
    @Inject(RepositoryLock) private readonly lock: RepositoryLock,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(PolicyFirer) private readonly policies: PolicyFirer,
    @Inject(JobReconciler) private readonly reconciler: JobReconciler,
    @Inject(SourceStatusStore) private readonly statuses: SourceStatusStore,
    @Inject(BackupMetrics) private readonly metrics: BackupMetrics,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(RunningJobs) private readonly running: RunningJobs,
  ) {
    super(host, {
      queue: JOBS_QUEUE,
      concurrency: 1,
      stalled: { lockDuration: config.BACKUP_JOB_LOCK_MS, stalledInterval: config.BACKUP_JOB_STALLED_INTERVAL_MS, maxStalledCount: 1 },
    });
  }

  protected async process(job: QueueJob): Promise<void> {
    if (job.name === POLICY_JOB) {
      const { policyId, reason } = parseJobData(policyJobDataSchema, job.data, JOBS_QUEUE);
      await this.policies.fire(policyId, reason);
      return;
    }
    const { jobId } = parseJobData(jobDataSchema, job.data, JOBS_QUEUE);
    const row = await this.store.start(jobId, job.attemptsStarted);
    if (!row) return; // cancelled, or already ended
    this.events.publish(row);
    const started = this.clock.nowMs();
    let signal: AbortSignal | undefined;
    try {
      const expected = row.kind === 'BACKUP' ? await this.expectedBytes(row) : 0;
      // Cancellable from here on, also while it waits for the repository lock.
      const outcome = await this.running.run(jobId, (s) => {
        signal = s;
        return this.lock.run(() => {
          s.throwIfAborted();
          return this.executor.run(row, (p) => void this.reportProgress(jobId, p), expected, s);
        });
      });
      const done = await this.store.succeed(
        jobId,
        outcome.result as unknown as Prisma.InputJsonValue,
        outcome.backupId,
        finalProgress(outcome.result, expected),
      );
      this.events.publish(done);
      this.metrics.jobFinished(row.kind, 'SUCCEEDED', (this.clock.nowMs() - started) / 1000);
      if (row.kind === 'BACKUP') await this.afterBackup(row, outcome.result as backupV1.Backup);
    } catch (err) {
      if (signal?.aborted) {
        const reason = (signal.reason as Error).message;
        this.events.publish(await this.store.cancelledWhileRunning(jobId, reason));
        this.metrics.jobFinished(row.kind, 'CANCELLED', (this.clock.nowMs() - started) / 1000);
        throw new UnrecoverableError(reason);
      }
      const final = this.retryPolicy.classify(err) === 'permanent' || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const message = (err as Error).message ?? String(err);
      const updated = final
        ? await this.store.fail(jobId, message)
        : await this.store.retrying(jobId, `attempt ${job.attemptsStarted} failed, retrying: ${message}`);
      this.events.publish(updated);
      if (final) this.metrics.jobFinished(row.kind, 'FAILED', (this.clock.nowMs() - started) / 1000);
      throw err;
    }
  }

  protected override jobStalled(): void {
    void this.reconciler.runNow();
  }

  private async reportProgress(jobId: string, progress: JobProgressSnapshot): Promise<void> {
    try {
      this.events.publish(await this.store.progress(jobId, progress));
    } catch (err) {
      this.log.warn(`progress of job ${jobId} not recorded: ${(err as Error).message}`);
    }
  }

  /** What the last backup of the same sources read: the denominator of the ETA. */
  private async expectedBytes(row: Job): Promise<number> {
    const last = await this.store.lastBackupOf(row.sources);
    return Number((last?.result as { bytesRead?: number | string } | null)?.bytesRead ?? 0);
  }

  /** Records the sources' last success, and applies a policy's retention as a PRUNE job behind it. */
  private async afterBackup(row: Job, backup: backupV1.Backup): Promise<void> {
    await this.statuses.recordSuccess(
      backup.id,
      backup.sources.map((s) => s.name),
      new Date(backup.completedAt),
    );
    const { thenPrune } = backupParamsSchema.parse(row.params);
    if (thenPrune) {
      await this.jobs.enqueue({
        kind: 'PRUNE',
        params: { retention: thenPrune },
        requestedBy: row.requestedBy,
        ...(row.policyId ? { policyId: row.policyId } : {}),
      });
    }
  }
}
