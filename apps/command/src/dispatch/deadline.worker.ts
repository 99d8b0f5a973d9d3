import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { contextFromCarrier, inSpan, SpanKind } from '@fleetplane/observability';
import { InjectConfig } from '@fleetplane/service-kit';
import { parseJobData, QueueHost, QueueWorker, retryUnlessPermanent } from '@fleetplane/service-kit/queue';
import type { CommandConfig } from '../config.js';
import { stalledOptions } from '../queue/stalled-options.js';
import { DEADLINE_QUEUE, deadlineJobSchema } from '../queue/jobs.js';
import { DeadlineService } from './deadline.service.js';

/** Deadline jobs one instance works on at once; each is one read and a conditional write per execution that is due. */
const DEADLINE_CONCURRENCY = 8;

/** Runs each batch's deadline job (delayed until the earliest deadline that can matter). */
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
    @InjectConfig() config: Pick<CommandConfig, 'QUEUE_JOB_LOCK_MS' | 'QUEUE_STALLED_INTERVAL_MS'>,
  ) {
    super(host, { queue: DEADLINE_QUEUE, concurrency: DEADLINE_CONCURRENCY, stalled: stalledOptions(config) });
  }

  protected async process(job: Job, token: string | undefined): Promise<void> {
    const { executionIds, trace } = parseJobData(deadlineJobSchema, job.data, DEADLINE_QUEUE);
    const later = await inSpan(
      'command.deadline',
      { kind: SpanKind.INTERNAL, parent: contextFromCarrier(trace), attributes: { 'fleetplane.execution_count': executionIds.length } },
      async (span) => {
        const o = await this.deadlines.check(executionIds);
        span.setAttribute('fleetplane.deadline.ended', o.ended);
        span.setAttribute('fleetplane.deadline.later', o.later.length);
        return o.later;
      },
    );
    // Dispatched since the job was scheduled at its expiry, or not due yet: look again at the
    // earliest of what is left, for what is left.
    if (later.length > 0) {
      const at = Math.min(...later.map((l) => l.at.getTime()));
      await job.updateData({ executionIds: later.map((l) => l.id), ...(trace ? { trace } : {}) });
      await job.moveToDelayed(at, token);
      throw new DelayedError();
    }
  }
}
