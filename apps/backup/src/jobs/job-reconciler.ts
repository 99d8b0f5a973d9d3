import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Clock, InjectConfig, PeriodicTask } from '@fleetplane/service-kit';
import { InjectQueue } from '@fleetplane/service-kit/queue';
import type { BackupConfig } from '../config.js';
import { JobEvents } from './job-events.js';
import { JOBS_QUEUE } from './job-queue.js';
import { JobStore } from './job-store.js';

/** A row younger than this may be between its insert and its queue.add: not judged yet. */
const GRACE_MS = 30_000;

/**
 * Keeps the catalogue honest about jobs BullMQ gave up on without a worker seeing it: a job that
 * stalled more often than allowed (its worker died twice) is failed by BullMQ's stalled check,
 * and a row whose queue job vanished would otherwise stay QUEUED or RUNNING for ever. At start,
 * on every stalled job, and every stalled interval.
 */
@Injectable()
export class JobReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('JobReconciler');
  private readonly task: PeriodicTask<void>;

  constructor(
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(JobStore) private readonly store: JobStore,
    @Inject(JobEvents) private readonly events: JobEvents,
    @Inject(Clock) private readonly clock: Clock,
    @InjectConfig() config: BackupConfig,
  ) {
    this.task = new PeriodicTask(
      () => this.reconcile().catch((err: Error) => this.log.warn(`reconcile failed: ${err.message}`)),
      config.BACKUP_JOB_STALLED_INTERVAL_MS,
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
    void this.task.runNow();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  runNow(): Promise<void> {
    return this.task.runNow();
  }

  private async reconcile(): Promise<void> {
    for (const row of await this.store.active()) {
      const state = await this.queue.getJobState(row.id);
      let reason: string | undefined;
      if (state === 'failed') reason = (await this.queue.getJob(row.id))?.failedReason || 'failed in the queue';
      else if (state === 'completed') reason = 'the queue completed it without its outcome being recorded';
      else if (state === 'unknown' && this.clock.nowMs() - row.createdAt.getTime() > GRACE_MS) reason = 'lost from the queue';
      if (!reason) continue;
      this.log.warn(`job ${row.id} (${row.kind}, ${row.state}) ends FAILED: ${reason}`);
      this.events.publish(await this.store.fail(row.id, reason));
    }
  }
}
