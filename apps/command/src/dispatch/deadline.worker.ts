import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
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

  protected async process(job: Job, token: string | undefined): Promise<void> {
    const { executionId, trace } = parseJobData(deadlineJobSchema, job.data, DEADLINE_QUEUE);
    const outcome = await inSpan(
      'command.deadline',
      { kind: SpanKind.INTERNAL, parent: contextFromCarrier(trace), attributes: { 'fleetplane.execution_id': executionId } },
      async (span) => {
        const o = await this.deadlines.check(executionId);
        span.setAttribute('fleetplane.deadline.outcome', o.kind);
        return o;
      },
    );
    // Dispatched since the job was scheduled at its expiry: look again at the run deadline.
    if (outcome.kind === 'later') {
      await job.moveToDelayed(outcome.at.getTime(), token);
      throw new DelayedError();
    }
  }
}
