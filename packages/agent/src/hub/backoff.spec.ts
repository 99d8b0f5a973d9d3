import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './backoff.js';

describe(reconnectDelay.name, () => {
  const policy = { baseMs: 100, maxMs: 5_000 };

  it('doubles per attempt within a jitter band of half to all of the step', () => {
    expect(reconnectDelay(0, policy, () => 0)).toBe(50);
    expect(reconnectDelay(0, policy, () => 1)).toBe(100);
    expect(reconnectDelay(3, policy, () => 0)).toBe(400);
    expect(reconnectDelay(3, policy, () => 1)).toBe(800);
  });

  it('is capped', () => {
    expect(reconnectDelay(50, policy, () => 1)).toBe(5_000);
    expect(reconnectDelay(1_000, policy, () => 0.5)).toBeLessThanOrEqual(5_000);
  });
});
