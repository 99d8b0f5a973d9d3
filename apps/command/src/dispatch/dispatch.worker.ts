import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { contextFromCarrier, inSpan, SpanKind } from '@fleetplane/observability';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { parseJobData, QueueHost, QueueWorker } from '@fleetplane/service-kit/queue';
import type { CommandConfig } from '../config.js';
import { DISPATCH_QUEUE, dispatchJobSchema } from '../queue/jobs.js';
import { Dispatcher } from './dispatcher.service.js';
import { backoffMs, dispatchRetryPolicy } from './retry-policy.js';

/**
 * Works the dispatch queue: DISPATCH_CONCURRENCY jobs at once, highest
 * priority first. A retry moves the job back to "delayed" (it keeps its
 * priority), so a waiting retry does not hold a concurrency slot.
 */
@Injectable()
export class DispatchWorker extends QueueWorker {
  protected readonly retryPolicy = dispatchRetryPolicy;

  constructor(
    @Inject(QueueHost) host: QueueHost,
    @Inject(Dispatcher) private readonly dispatcher: Dispatcher,
    @Inject(Clock) private readonly clock: Clock,
    @InjectConfig() config: Pick<CommandConfig, 'DISPATCH_CONCURRENCY'>,
  ) {
    super(host, { queue: DISPATCH_QUEUE, concurrency: config.DISPATCH_CONCURRENCY });
  }

  protected async process(job: Job, token: string | undefined): Promise<void> {
    const { executionId, trace } = parseJobData(dispatchJobSchema, job.data, DISPATCH_QUEUE);
    // PRODUCER: this span continues the submitter's trace and parents the NATS request to the hub.
    const outcome = await inSpan(
      'command.dispatch',
      { kind: SpanKind.PRODUCER, parent: contextFromCarrier(trace), attributes: { 'fleetplane.execution_id': executionId, 'messaging.system': 'nats' } },
      async (span) => {
        try {
          const result = await this.dispatcher.dispatch(executionId);
          span.setAttribute('fleetplane.dispatch.outcome', result.kind);
          return result;
        } catch (err) {
          // Database or Redis trouble before the hub was asked: retry; the deadline bounds it.
          return { kind: 'retry' as const, delayMs: backoffMs(job.attemptsStarted), error: err as Error };
        }
      },
    );
    if (outcome.kind === 'retry') {
      if ('error' in outcome) this.log.warn(`dispatch of ${executionId} hit ${outcome.error.message}; retrying in ${outcome.delayMs} ms`);
      await job.moveToDelayed(this.clock.nowMs() + outcome.delayMs, token);
      throw new DelayedError();
    }
  }
}
