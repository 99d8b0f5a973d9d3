import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANSWER_WITHIN_MS, GcraStore } from './gcra-store.js';

/** A connection whose script never answers, as a hung Redis. */
const hungRedis = () => ({ defineCommand: vi.fn(), gcra: () => new Promise(() => undefined) }) as unknown as Redis;

describe(GcraStore.name, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives up on a Redis that does not answer, so the limiter treats it as unavailable', async () => {
    vi.useFakeTimers();
    const taken = new GcraStore(hungRedis()).take('k', { limit: 1, windowMs: 1_000 });
    const outcome = expect(taken).rejects.toThrow(`redis did not answer within ${ANSWER_WITHIN_MS} ms`);
    await vi.advanceTimersByTimeAsync(ANSWER_WITHIN_MS);
    await outcome;
  });

  it('returns what the script answers', async () => {
    const redis = { defineCommand: vi.fn(), gcra: vi.fn().mockResolvedValue([0, 0, 1500, 250]) } as unknown as Redis;
    expect(await new GcraStore(redis).take('k', { limit: 4, windowMs: 2_000 })).toEqual({
      allowed: false,
      limit: 4,
      remaining: 0,
      resetMs: 1500,
      retryAfterMs: 250,
    });
  });
});
