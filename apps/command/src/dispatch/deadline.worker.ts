import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { contextFromCarrier, inSpan, SpanKind } from '@fleetplane/observability';
import { COMMAND_CONFIG, type CommandConfig } from '../config.js';
import { DEADLINE_QUEUE, deadlineJobSchema } from '../queue/jobs.js';
import { QueueWorker } from '../queue/queue-worker.js';
import { DeadlineService } from './deadline.service.js';

/** Runs each execution's deadline job (delayed until the deadline). Errors retry with BullMQ's backoff (the job's attempts). */
@Injectable()
export class DeadlineWorker extends QueueWorker {
  constructor(
    @Inject(DeadlineService) private readonly deadlines: DeadlineService,
    @Inject(COMMAND_CONFIG) config: Pick<CommandConfig, 'REDIS_URL'>,
  ) {
    super(DEADLINE_QUEUE, config.REDIS_URL, 8);
  }

  protected async process(job: Job): Promise<void> {
    const data = deadlineJobSchema.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError(`malformed deadline job: ${data.error.issues[0]?.message}`);
    const { executionId, trace } = data.data;
    await inSpan('command.deadline', { kind: SpanKind.INTERNAL, parent: contextFromCarrier(trace), attributes: { 'fleetplane.execution_id': executionId } }, async (span) => {
      span.setAttribute('fleetplane.timed_out', await this.deadlines.expire(executionId));
    });
  }
}
