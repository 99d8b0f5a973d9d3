import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { InjectQueue } from '@fleetplane/service-kit/queue';
import type { BackupConfig } from '../config.js';
import type { Job } from '../generated/prisma/client.js';
import { JobCancellation } from './job-cancellation.js';
import { JobEvents } from './job-events.js';
import { JOBS_QUEUE } from './job-queue.js';
import { JobStore, type NewJob } from './job-store.js';

/** The queue is away: the job was recorded FAILED and the caller should try again later. */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
}

/** A job that cannot be cancelled (finished already, or a running prune): FAILED_PRECONDITION. */
export class NotCancellableError extends Error {
  override name = 'NotCancellableError';
}

/**
 * Starts jobs: a catalogue row (QUEUED) first, then the BullMQ job with the row's id, so every
 * queued job has a row the worker can find. The queue runs one job at a time across every process
 * of the service (BullMQ global concurrency 1): one repository, one writer.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(JobStore) private readonly store: JobStore,
    @Inject(JobEvents) private readonly events: JobEvents,
    @InjectConfig() private readonly config: BackupConfig,
    @Inject(JobCancellation) private readonly cancellation: JobCancellation,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.setGlobalConcurrency(1);
  }

  async enqueue(job: NewJob): Promise<Job> {
    const row = await this.store.create(job);
    // A restore is not retried: a second attempt would meet the database the first one created.
    const attempts = job.kind === 'RESTORE' ? 1 : this.config.BACKUP_JOB_ATTEMPTS;
    try {
      await this.queue.add(
        job.kind,
        { jobId: row.id },
        {
          jobId: row.id,
          attempts,
          backoff: { type: 'exponential', delay: this.config.BACKUP_JOB_BACKOFF_MS },
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      );
    } catch (err) {
      this.events.publish(await this.store.fail(row.id, `not queued: ${(err as Error).message}`));
      throw new QueueUnavailableError(`the job queue is unavailable: ${(err as Error).message}`);
    }
    this.events.publish(row);
    return row;
  }

  /**
   * QUEUED: CANCELLED at once (and taken off the queue; a worker that picks it up anyway finds the
   * row cancelled and skips it). RUNNING: the instance running it is asked to abort it, and the row
   * is answered once it has stopped, or after BACKUP_CANCEL_WAIT_MS still RUNNING (ask again). A
   * finished job, or a running prune, is refused. null: no such job.
   */
  async cancel(id: string, by: string): Promise<Job | null> {
    const reason = `cancelled by ${by}`;
    const row = await this.store.get(id);
    if (!row) return null;
    if (row.state === 'QUEUED') {
      const cancelled = await this.store.cancelQueued(id, reason);
      if (cancelled) {
        await this.queue.remove(id).catch(() => 0);
        this.events.publish(cancelled);
        return cancelled;
      }
      return this.cancel(id, by); // it started (or ended) meanwhile
    }
    if (row.state !== 'RUNNING') throw new NotCancellableError(`job ${id} has already ended (${row.state})`);
    if (row.kind === 'PRUNE') throw new NotCancellableError(`job ${id} is a running prune, which is not interrupted (it would only leave its work half done)`);
    this.cancellation.request(id, by, this.clock.now());
    const until = this.clock.nowMs() + this.config.BACKUP_CANCEL_WAIT_MS;
    let current: Job | null = row;
    while (current?.state === 'RUNNING' && this.clock.nowMs() < until) {
      await sleep(100);
      current = await this.store.get(id);
    }
    return current;
  }

  get(id: string): Promise<Job | null> {
    return this.store.get(id);
  }

  list(limit: number): Promise<Job[]> {
    return this.store.list(limit);
  }
}
