import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_PREFIX } from './jobs.js';
import { workerConnection } from './redis.js';

/**
 * Owns a BullMQ worker's life: its own blocking Redis connection, start once
 * the app is up, failures logged, and a graceful close (no new jobs, in-flight
 * ones finish) before NATS drains. Subclasses state the queue, the
 * concurrency and how a job is processed, including their retry policy.
 */
export abstract class QueueWorker implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly log = new Logger(this.constructor.name);
  private worker?: Worker;
  private redis?: Redis;

  protected constructor(
    private readonly queue: string,
    private readonly redisUrl: string,
    private readonly concurrency: number,
  ) {}

  protected abstract process(job: Job, token: string | undefined): Promise<void>;

  onApplicationBootstrap(): void {
    this.redis = workerConnection(this.redisUrl);
    this.worker = new Worker(this.queue, (job, token) => this.process(job, token), {
      connection: this.redis,
      prefix: QUEUE_PREFIX,
      concurrency: this.concurrency,
    });
    this.worker.on('failed', (job, err) => this.log.error(`${this.queue} job ${job?.id} failed: ${err.message}`));
    this.worker.on('error', (err) => this.log.error(`${this.queue} worker: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    // BullMQ leaves a connection it was given open.
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
