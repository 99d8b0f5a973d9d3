import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { contextFromCarrier, inSpan, SpanKind } from '@fleetplane/observability';
import { parseJobData, QueueHost, QueueWorker, retryUnlessPermanent } from '@fleetplane/service-kit/queue';
import { DEADLINE_QUEUE, deadlineJobSchema } from '../queue/jobs.js';
import { DeadlineService } from './deadline.service.js';

/** Deadline jobs one instance works on at once; each is a read and at most one conditional write. */
const DEADLINE_CONCURRENCY = 8;

/** Runs each execution's deadline job (delayed until the deadline). */
@Injectable()
export class DeadlineWorker extends QueueWorker {
  /**
   * A malformed job is permanent; anything else (the database or NATS away) is
   * transient and retried with the job's BullMQ attempts and backoff (set by
   * CommandQueue), so an outage at the deadline delays TIMED_OUT, not loses it.
   */
  protected readonly retryPolicy = retryUnlessPermanent;

  constructor(
    @Inject(QueueHost) host: QueueHost,
    @Inject(DeadlineService) private readonly deadlines: DeadlineService,
  ) {
    super(host, { queue: DEADLINE_QUEUE, concurrency: DEADLINE_CONCURRENCY });
  }

  protected async process(job: Job): Promise<void> {
    const { executionId, trace } = parseJobData(deadlineJobSchema, job.data, DEADLINE_QUEUE);
    await inSpan(
      'command.deadline',
      { kind: SpanKind.INTERNAL, parent: contextFromCarrier(trace), attributes: { 'fleetplane.execution_id': executionId } },
      async (span) => {
        span.setAttribute('fleetplane.timed_out', await this.deadlines.expire(executionId));
      },
    );
  }
}
