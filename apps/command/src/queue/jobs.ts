import { traceCarrierSchema } from '@fleetplane/contracts';
import { z } from 'zod';
import type { Priority } from '../generated/prisma/enums.js';

/** BullMQ queue names; keys live under QUEUE_PREFIX so services sharing a Redis never collide. */
export const QUEUE_PREFIX = 'fleetplane:command';
export const DISPATCH_QUEUE = 'dispatch';
export const DEADLINE_QUEUE = 'deadlines';

/** The most executions one dispatch or deadline job carries (DISPATCH_BATCH_SIZE may ask fewer). */
export const MAX_JOB_BATCH = 500;

/**
 * A job's executions: one BullMQ job carries a batch of a command's executions, so a
 * 10,000-agent command is 100 dispatch jobs and 100 deadline jobs, not 20,000. Jobs written
 * before batching carried one `executionId`; they are still read.
 */
const executionIdsSchema = z.union([
  z.object({ executionIds: z.array(z.uuid()).min(1).max(MAX_JOB_BATCH), trace: traceCarrierSchema.optional() }),
  z.object({ executionId: z.uuid(), trace: traceCarrierSchema.optional() }).transform(({ executionId, trace }) => ({ executionIds: [executionId], trace })),
]);

/** A dispatch job: send its executions to their agents. The trace carrier continues the submitter's trace. */
export const dispatchJobSchema = executionIdsSchema;
export type DispatchJob = z.input<typeof dispatchJobSchema>;

/** A deadline job, delayed until the earliest deadline of its executions that can matter. */
export const deadlineJobSchema = executionIdsSchema;
export type DeadlineJob = z.input<typeof deadlineJobSchema>;

// Job ids derive from the batch's first execution (an execution is in one batch per enqueue),
// so adding the same batch twice is a no-op.
export const dispatchJobId = (firstExecutionId: string) => `dispatch-${firstExecutionId}`;
export const deadlineJobId = (firstExecutionId: string) => `deadline-${firstExecutionId}`;

/** `items` in consecutive batches of at most `size`. */
export function inBatches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * BullMQ priority: lower runs first, and jobs of one priority run in the order
 * they were added (FIFO), which is what the command queue promises.
 */
export const BULLMQ_PRIORITY: Record<Priority, number> = { CRITICAL: 1, HIGH: 2, NORMAL: 3, LOW: 4 };
