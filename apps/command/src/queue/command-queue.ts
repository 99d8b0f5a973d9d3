import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { TraceCarrier } from '@fleetplane/observability';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { InjectQueue } from '@fleetplane/service-kit/queue';
import type { CommandConfig } from '../config.js';
import { runDeadline } from '../executions/deadline.js';
import type { Priority } from '../generated/prisma/enums.js';
import { BULLMQ_PRIORITY, DEADLINE_QUEUE, deadlineJobId, DISPATCH_QUEUE, dispatchJobId, inBatches, type DeadlineJob, type DispatchJob } from './jobs.js';

export interface QueuedExecution {
  id: string;
  /** When it must have reached its agent. */
  expiresAt: Date;
}

// Finished jobs are kept briefly for debugging, then trimmed so Redis does not grow without bound.
const KEEP = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600, count: 5000 } };

/**
 * Puts released executions on the dispatch queue (by priority) and schedules their deadline
 * checks, DISPATCH_BATCH_SIZE executions to a job: a job costs a few Redis round trips and
 * scripts to add, take and finish, whatever it carries.
 */
@Injectable()
export class CommandQueue {
  private readonly batchSize: number;

  constructor(
    @InjectQueue(DISPATCH_QUEUE) private readonly dispatch: Queue<DispatchJob>,
    @InjectQueue(DEADLINE_QUEUE) private readonly deadlines: Queue<DeadlineJob>,
    @Inject(Clock) private readonly clock: Clock,
    @InjectConfig() config: Pick<CommandConfig, 'DISPATCH_BATCH_SIZE'>,
  ) {
    this.batchSize = config.DISPATCH_BATCH_SIZE;
  }

  /**
   * A batch's deadline job is scheduled once, at the earliest moment it can matter: its
   * executions' expiry (a command's executions share it), or the run deadline of a dispatch
   * right now, whichever comes first. The check then looks again at the real expiry or run
   * deadline of what is not there yet, so a dispatch needs no Redis call to move the job.
   */
  async enqueue(executions: QueuedExecution[], priority: Priority, trace: TraceCarrier | undefined, timeoutSeconds: number): Promise<void> {
    const carrier = trace ? { trace } : {};
    const now = this.clock.nowMs();
    const earliestRunDeadline = runDeadline(new Date(now), timeoutSeconds).getTime();
    const batches = inBatches(executions, this.batchSize);
    // Both on one pipelined connection at once: one round trip's wait, not two.
    await Promise.all([
      this.deadlines.addBulk(
        batches.map((b) => ({
          name: 'deadline',
          data: { executionIds: b.map((e) => e.id), ...carrier },
          opts: {
            jobId: deadlineJobId(b[0]!.id),
            delay: Math.max(0, Math.min(Math.min(...b.map((e) => e.expiresAt.getTime())), earliestRunDeadline) - now),
            attempts: 20,
            backoff: { type: 'exponential', delay: 500 },
            ...KEEP,
          },
        })),
      ),
      this.dispatch.addBulk(
        batches.map((b) => ({
          name: 'dispatch',
          data: { executionIds: b.map((e) => e.id), ...carrier },
          opts: { jobId: dispatchJobId(b[0]!.id), priority: BULLMQ_PRIORITY[priority], ...KEEP },
        })),
      ),
    ]);
  }

  /**
   * Dispatches executions again whose agent just connected. The job id names
   * the wake, since BullMQ ignores an id it still remembers from the first try;
   * a duplicate dispatch is harmless (the dispatcher sends only a QUEUED
   * execution, and the agent runs an id once).
   */
  async wake(executionIds: string[], priority: Priority, wakeId: string): Promise<void> {
    await this.dispatch.addBulk(
      inBatches(executionIds, this.batchSize).map((ids) => ({
        name: 'dispatch',
        data: { executionIds: ids },
        opts: { jobId: `${dispatchJobId(ids[0]!)}-${wakeId}`, priority: BULLMQ_PRIORITY[priority], ...KEEP },
      })),
    );
  }

  /**
   * Tries some of a batch's executions again after `delayMs` (the rest of the batch went), as a
   * job of their own at the batch's priority. `jobId` must be new: BullMQ ignores an id it still
   * remembers, so the worker derives it from the failing job's own id and attempt (a retry of a
   * retry gets a longer one, never the id of the job that is adding it).
   */
  async retryLater(executionIds: string[], bullmqPriority: number, delayMs: number, jobId: string, trace: TraceCarrier | undefined): Promise<void> {
    await this.dispatch.add('dispatch', { executionIds, ...(trace ? { trace } : {}) }, { jobId, priority: bullmqPriority, delay: delayMs, ...KEEP });
  }

  /** Best-effort removal after a failed submit (the worker also drops jobs whose execution does not exist). */
  async retract(executionIds: string[]): Promise<void> {
    const firsts = inBatches(executionIds, this.batchSize).map((b) => b[0]!);
    await Promise.allSettled(firsts.flatMap((id) => [this.dispatch.remove(dispatchJobId(id)), this.deadlines.remove(deadlineJobId(id))]));
  }

  /** Jobs per state on the dispatch queue, for the queue-depth gauge. */
  async depth(): Promise<Record<string, number>> {
    return this.dispatch.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
  }
}
