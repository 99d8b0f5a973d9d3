import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DelayedError, UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueHost } from './queue.module.js';
import type { RetryPolicy } from './retry-policy.js';

export interface QueueWorkerOptions {
  queue: string;
  concurrency: number;
  /**
   * How a crashed worker's job is found again: its lock lapses after `lockDuration` (renewed
   * while it runs), the stalled check (every `stalledInterval`) then moves it back to waiting,
   * up to `maxStalledCount` times before failing it. BullMQ's defaults (30 s, 30 s, 1) unless set.
   */
  stalled?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
}

/**
 * Owns a BullMQ worker's life: its own blocking Redis connection, start once
 * the app is up, failures logged, and a graceful close (no new jobs, in-flight
 * ones finish) when the app stops taking work, before NATS drains and the
 * database closes. Subclasses state the queue, the concurrency, how a job is
 * processed and their retry policy (which failures are permanent).
 */
export abstract class QueueWorker implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly log = new Logger(this.constructor.name);
  protected abstract readonly retryPolicy: RetryPolicy;
  private worker?: Worker;
  private redis?: Redis;

  protected constructor(
    private readonly host: QueueHost,
    private readonly opts: QueueWorkerOptions,
  ) {}

  protected abstract process(job: Job, token: string | undefined): Promise<void>;

  onApplicationBootstrap(): void {
    this.redis = this.host.workerConnection(this.opts.queue);
    this.worker = new Worker(this.opts.queue, (job, token) => this.run(job, token), {
      connection: this.redis,
      prefix: this.host.prefix,
      concurrency: this.opts.concurrency,
      ...this.opts.stalled,
    });
    this.worker.on('failed', (job, err) => this.log.error(`${this.opts.queue} job ${job?.id} failed: ${err.message}`));
    this.worker.on('error', (err) => this.log.error(`${this.opts.queue} worker: ${err.message}`));
    this.worker.on('stalled', (jobId) => {
      this.log.warn(`${this.opts.queue} job ${jobId} stalled (its worker stopped while running it)`);
      this.jobStalled(jobId);
    });
  }

  /** A job whose worker died was found by the stalled check (moved back to waiting, or failed past maxStalledCount). */
  protected jobStalled(_jobId: string): void {}

  private async run(job: Job, token: string | undefined): Promise<void> {
    try {
      await this.process(job, token);
    } catch (err) {
      // DelayedError is how a job reschedules itself; it is not a failure.
      if (err instanceof DelayedError || err instanceof UnrecoverableError) throw err;
      if (this.retryPolicy.classify(err) === 'permanent') throw new UnrecoverableError((err as Error).message);
      throw err;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    // BullMQ leaves a connection it was given open.
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
