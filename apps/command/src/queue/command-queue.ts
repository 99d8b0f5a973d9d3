import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { TraceCarrier } from '@fleetplane/observability';
import { Clock } from '@fleetplane/service-kit';
import { InjectQueue } from '@fleetplane/service-kit/queue';
import { runDeadline } from '../executions/deadline.js';
import type { Priority } from '../generated/prisma/enums.js';
import { BULLMQ_PRIORITY, DEADLINE_QUEUE, deadlineJobId, DISPATCH_QUEUE, dispatchJobId, type DeadlineJob, type DispatchJob } from './jobs.js';

export interface QueuedExecution {
  id: string;
  /** When it must have reached its agent. */
  expiresAt: Date;
}

// Finished jobs are kept briefly for debugging, then trimmed so Redis does not grow without bound.
const KEEP = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600, count: 5000 } };

/** Puts released executions on the dispatch queue (by priority) and schedules their deadline checks. */
@Injectable()
export class CommandQueue {
  constructor(
    @InjectQueue(DISPATCH_QUEUE) private readonly dispatch: Queue<DispatchJob>,
    @InjectQueue(DEADLINE_QUEUE) private readonly deadlines: Queue<DeadlineJob>,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * Each execution's deadline job is scheduled once, at the earliest moment it can matter: its
   * expiry, or the run deadline of a dispatch right now, whichever comes first. The check then
   * looks again at the real expiry or run deadline if it is not there yet, so the dispatch
   * needs no Redis call to move the job (it used to cost up to three round trips per execution).
   */
  async enqueue(executions: QueuedExecution[], priority: Priority, trace: TraceCarrier | undefined, timeoutSeconds: number): Promise<void> {
    const carrier = trace ? { trace } : {};
    const now = this.clock.nowMs();
    const earliestRunDeadline = runDeadline(new Date(now), timeoutSeconds).getTime();
    // Both on one pipelined connection at once: one round trip's wait, not two.
    await Promise.all([
      this.deadlines.addBulk(
        executions.map((e) => ({
          name: 'deadline',
          data: { executionId: e.id, ...carrier },
          opts: {
            jobId: deadlineJobId(e.id),
            delay: Math.max(0, Math.min(e.expiresAt.getTime(), earliestRunDeadline) - now),
            attempts: 20,
            backoff: { type: 'exponential', delay: 500 },
            ...KEEP,
          },
        })),
      ),
      this.dispatch.addBulk(
        executions.map((e) => ({
          name: 'dispatch',
          data: { executionId: e.id, ...carrier },
          opts: { jobId: dispatchJobId(e.id), priority: BULLMQ_PRIORITY[priority], ...KEEP },
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
      executionIds.map((id) => ({
        name: 'dispatch',
        data: { executionId: id },
        opts: { jobId: `${dispatchJobId(id)}-${wakeId}`, priority: BULLMQ_PRIORITY[priority], ...KEEP },
      })),
    );
  }

  /** Best-effort removal after a failed submit (the worker also drops jobs whose execution does not exist). */
  async retract(executionIds: string[]): Promise<void> {
    await Promise.allSettled(executionIds.flatMap((id) => [this.dispatch.remove(dispatchJobId(id)), this.deadlines.remove(deadlineJobId(id))]));
  }

  /** Jobs per state on the dispatch queue, for the queue-depth gauge. */
  async depth(): Promise<Record<string, number>> {
    return this.dispatch.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
  }
}
