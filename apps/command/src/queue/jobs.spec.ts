import { describe, expect, it } from 'vitest';
import { BULLMQ_PRIORITY, dispatchJobSchema, inBatches, MAX_JOB_BATCH } from './jobs.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('dispatch job priority', () => {
  it('gives BullMQ Critical=1 < High=2 < Normal=3 < Low=4 (lower runs first)', () => {
    expect(BULLMQ_PRIORITY).toEqual({ CRITICAL: 1, HIGH: 2, NORMAL: 3, LOW: 4 });
  });
});

describe('job batches', () => {
  it('splits executions into consecutive batches of at most the size', () => {
    expect(inBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(inBatches([], 100)).toEqual([]);
  });

  it('reads a job written before batching (one executionId) as a batch of one', () => {
    expect(dispatchJobSchema.parse({ executionId: id(1) })).toEqual({ executionIds: [id(1)], trace: undefined });
    expect(dispatchJobSchema.parse({ executionIds: [id(1), id(2)] })).toEqual({ executionIds: [id(1), id(2)] });
  });

  it('refuses an empty batch, one over the limit, and ids that are not uuids', () => {
    expect(dispatchJobSchema.safeParse({ executionIds: [] }).success).toBe(false);
    expect(dispatchJobSchema.safeParse({ executionIds: Array.from({ length: MAX_JOB_BATCH + 1 }, (_, i) => id(i)) }).success).toBe(false);
    expect(dispatchJobSchema.safeParse({ executionIds: ['not-a-uuid'] }).success).toBe(false);
  });
});
