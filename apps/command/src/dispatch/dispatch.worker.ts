import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { contextFromCarrier, inSpan, SpanKind, type TraceCarrier } from '@fleetplane/observability';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { parseJobData, QueueHost, QueueWorker } from '@fleetplane/service-kit/queue';
import type { CommandConfig } from '../config.js';
import { CommandQueue } from '../queue/command-queue.js';
import { BULLMQ_PRIORITY, DISPATCH_QUEUE, dispatchJobSchema } from '../queue/jobs.js';
import { Dispatcher, type DispatchOutcome } from './dispatcher.service.js';
import { PriorityLimiter } from './priority-limiter.js';
import { stalledOptions } from '../queue/stalled-options.js';
import { backoffMs, dispatchRetryPolicy } from './retry-policy.js';

/**
 * Works the dispatch queue, highest priority first. A job carries a batch of one command's
 * executions; each goes to its hub as its own request, at most DISPATCH_CONCURRENCY of them at
 * once per instance (PriorityLimiter), and their claims and DISPATCHED writes share statements.
 * What must be tried again waits in BullMQ's delayed set (keeping its priority), so a waiting
 * retry holds no slot: the whole job when nothing of it went, else a job of its own.
 */
@Injectable()
export class DispatchWorker extends QueueWorker {
  protected readonly retryPolicy = dispatchRetryPolicy;
  private readonly limiter: PriorityLimiter;

  constructor(
    @Inject(QueueHost) host: QueueHost,
    @Inject(Dispatcher) private readonly dispatcher: Dispatcher,
    @Inject(CommandQueue) private readonly queue: CommandQueue,
    @Inject(Clock) private readonly clock: Clock,
    @InjectConfig() config: Pick<CommandConfig, 'DISPATCH_CONCURRENCY' | 'QUEUE_JOB_LOCK_MS' | 'QUEUE_STALLED_INTERVAL_MS'>,
  ) {
    super(host, { queue: DISPATCH_QUEUE, concurrency: config.DISPATCH_CONCURRENCY, stalled: stalledOptions(config) });
    this.limiter = new PriorityLimiter(config.DISPATCH_CONCURRENCY);
  }

  protected async process(job: Job, token: string | undefined): Promise<void> {
    const { executionIds, trace } = parseJobData(dispatchJobSchema, job.data, DISPATCH_QUEUE);
    // Every dispatch job is added with its command's priority; NORMAL covers one that was not.
    const priority = job.opts.priority || BULLMQ_PRIORITY.NORMAL;
    const outcomes = await Promise.all(executionIds.map((id) => this.limiter.run(priority, () => this.dispatchOne(id, trace, job.attemptsStarted))));
    const again = executionIds.map((id, i) => ({ id, outcome: outcomes[i]! })).filter((x) => x.outcome.kind === 'retry');
    if (again.length === 0) return;
    const delayMs = Math.min(...again.map((x) => (x.outcome.kind === 'retry' ? x.outcome.delayMs : 0)));
    if (again.length === executionIds.length) {
      await job.moveToDelayed(this.clock.nowMs() + delayMs, token);
      throw new DelayedError();
    }
    // If this add fails, the job fails and BullMQ runs it again: what went is not sent twice.
    await this.queue.retryLater(
      again.map((x) => x.id),
      priority,
      delayMs,
      `${job.id}-r${job.attemptsStarted}`,
      trace,
    );
  }

  private dispatchOne(executionId: string, trace: TraceCarrier | undefined, attempt: number): Promise<DispatchOutcome> {
    // PRODUCER: this span continues the submitter's trace and parents the NATS request to the hub.
    return inSpan(
      'command.dispatch',
      { kind: SpanKind.PRODUCER, parent: contextFromCarrier(trace), attributes: { 'fleetplane.execution_id': executionId, 'messaging.system': 'nats' } },
      async (span) => {
        try {
          const result = await this.dispatcher.dispatch(executionId);
          span.setAttribute('fleetplane.dispatch.outcome', result.kind);
          return result;
        } catch (err) {
          // Database or Redis trouble before the hub was asked: retry; the deadline bounds it.
          this.log.warn(`dispatch of ${executionId} hit ${(err as Error).message}; retrying`);
          return { kind: 'retry' as const, delayMs: backoffMs(attempt) };
        }
      },
    );
  }
}
