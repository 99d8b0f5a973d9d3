import { describe, expect, it } from 'vitest';
import { BULLMQ_PRIORITY } from './jobs.js';

describe('dispatch job priority', () => {
  it('gives BullMQ Critical=1 < High=2 < Normal=3 < Low=4 (lower runs first)', () => {
    expect(BULLMQ_PRIORITY).toEqual({ CRITICAL: 1, HIGH: 2, NORMAL: 3, LOW: 4 });
  });
});
