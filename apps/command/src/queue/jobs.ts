import { traceCarrierSchema } from '@fleetplane/contracts';
import { z } from 'zod';
import type { Priority } from '../generated/prisma/enums.js';

/** BullMQ queue names; keys live under QUEUE_PREFIX so services sharing a Redis never collide. */
export const QUEUE_PREFIX = 'fleetplane:command';
export const DISPATCH_QUEUE = 'dispatch';
export const DEADLINE_QUEUE = 'deadlines';

/** A dispatch job: send one execution to its agent. The trace carrier continues the submitter's trace. */
export const dispatchJobSchema = z.object({
  executionId: z.uuid(),
  trace: traceCarrierSchema.optional(),
});
export type DispatchJob = z.infer<typeof dispatchJobSchema>;

/** A deadline job, delayed until the execution's deadline. */
export const deadlineJobSchema = z.object({
  executionId: z.uuid(),
  trace: traceCarrierSchema.optional(),
});
export type DeadlineJob = z.infer<typeof deadlineJobSchema>;

// Job ids derive from the execution id, so adding the same job twice is a no-op.
export const dispatchJobId = (executionId: string) => `dispatch-${executionId}`;
export const deadlineJobId = (executionId: string) => `deadline-${executionId}`;

/**
 * BullMQ priority: lower runs first, and jobs of one priority run in the order
 * they were added (FIFO), which is what the command queue promises.
 */
export const BULLMQ_PRIORITY: Record<Priority, number> = { CRITICAL: 1, HIGH: 2, NORMAL: 3, LOW: 4 };
