import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { contextFromCarrier, inSpan, SpanKind } from '@fleetplane/observability';
import { COMMAND_CONFIG, type CommandConfig } from '../config.js';
import { DEADLINE_QUEUE, deadlineJobSchema, QUEUE_PREFIX } from '../queue/jobs.js';
import { workerConnection } from '../queue/redis.js';
import { DeadlineService } from './deadline.service.js';

/** Runs each execution's deadline job (delayed until the deadline). Errors retry with BullMQ's backoff (the job's attempts). */
@Injectable()
export class DeadlineWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(DeadlineWorker.name);
  private worker?: Worker;
  private redis?: Redis;

  constructor(
    @Inject(DeadlineService) private readonly deadlines: DeadlineService,
    @Inject(COMMAND_CONFIG) private readonly config: Pick<CommandConfig, 'REDIS_URL'>,
  ) {}

  onApplicationBootstrap(): void {
    this.redis = workerConnection(this.config.REDIS_URL);
    this.worker = new Worker(DEADLINE_QUEUE, (job) => this.process(job), {
      connection: this.redis,
      prefix: QUEUE_PREFIX,
      concurrency: 8,
    });
    this.worker.on('failed', (job, err) => this.log.error(`deadline job ${job?.id} failed: ${err.message}`));
    this.worker.on('error', (err) => this.log.error(`deadline worker: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    // BullMQ leaves a connection it was given open.
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  private async process(job: Job): Promise<void> {
    const data = deadlineJobSchema.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError(`malformed deadline job: ${data.error.issues[0]?.message}`);
    const { executionId, trace } = data.data;
    await inSpan('command.deadline', { kind: SpanKind.INTERNAL, parent: contextFromCarrier(trace), attributes: { 'fleetplane.execution_id': executionId } }, async (span) => {
      span.setAttribute('fleetplane.timed_out', await this.deadlines.expire(executionId));
    });
  }
}
