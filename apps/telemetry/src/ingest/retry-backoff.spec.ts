import { describe, expect, it } from 'vitest';
import { RetryBackoff } from './retry-backoff.js';

describe('RetryBackoff', () => {
  it('doubles from min to max while failures follow one another, and never stops offering a next attempt', () => {
    const b = new RetryBackoff(500, 30_000);
    const delays = Array.from({ length: 100 }, () => b.next());
    expect(delays.slice(0, 8)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(delays.at(-1)).toBe(30_000);
    expect(b.consecutiveFailures).toBe(100);
  });

  it('starts again from min after a success', () => {
    const b = new RetryBackoff(100, 1_000);
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });
});
