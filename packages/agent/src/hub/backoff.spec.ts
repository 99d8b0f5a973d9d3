import { describe, expect, it } from 'vitest';
import { AgentCloseCode } from '@fleetplane/contracts';
import { seededRandom } from '@fleetplane/test-harness';
import { ReconnectSchedule } from './backoff.js';

const policy = { baseMs: 100, maxMs: 5_000, firstReconnectWindowMs: 10_000 };

describe(ReconnectSchedule.name, () => {
  it('grows each failure from the previous delay: min(cap, random(base, prev * 3))', () => {
    const s = new ReconnectSchedule(policy, () => 1);
    expect([s.afterFailure(), s.afterFailure(), s.afterFailure(), s.afterFailure(), s.afterFailure()]).toEqual([300, 900, 2_700, 5_000, 5_000]);
    const low = new ReconnectSchedule(policy, () => 0);
    expect([low.afterFailure(), low.afterFailure()]).toEqual([100, 100]);
  });

  it('with a seeded random stays within [base, min(cap, prev * 3)] at every step', () => {
    const s = new ReconnectSchedule(policy, seededRandom(42));
    let prev = policy.baseMs;
    const delays: number[] = [];
    for (let i = 0; i < 200; i++) {
      const d = s.afterFailure();
      expect(d).toBeGreaterThanOrEqual(policy.baseMs);
      expect(d).toBeLessThanOrEqual(Math.min(policy.maxMs, prev * 3));
      delays.push(d);
      prev = d;
    }
    expect(new ReconnectSchedule(policy, seededRandom(42)).afterFailure()).toBe(delays[0]);
    // Decorrelated: the fleet does not march in lock-step at the cap.
    expect(new Set(delays).size).toBeGreaterThan(50);
  });

  it('spreads the first reconnect after a drop over the window, never near zero for the whole fleet', () => {
    const rnd = seededRandom(7);
    const firsts = Array.from({ length: 1_000 }, () => new ReconnectSchedule(policy, rnd).afterDrop());
    for (const d of firsts) expect(d).toBeGreaterThanOrEqual(0);
    for (const d of firsts) expect(d).toBeLessThanOrEqual(policy.firstReconnectWindowMs);
    // Roughly uniform: each tenth of the window holds between 5 % and 15 % of the fleet.
    const buckets = new Array<number>(10).fill(0);
    for (const d of firsts) buckets[Math.min(9, Math.floor(d / 1_000))]!++;
    for (const b of buckets) expect(b).toBeGreaterThan(50);
    for (const b of buckets) expect(b).toBeLessThan(150);
  });

  it('after a drop, a failure grows from the drop delay rather than restarting at base', () => {
    const s = new ReconnectSchedule(policy, () => 0.5);
    expect(s.afterDrop()).toBe(5_000);
    // random(base, 5000 * 3) at 0.5, capped at 5 s.
    expect(s.afterFailure()).toBe(5_000);
  });

  it('honours a refusal hint as a floor, with up to as much again of jitter, even above the cap', () => {
    expect(new ReconnectSchedule(policy, () => 0).afterRefusal(8_000)).toBe(8_000);
    expect(new ReconnectSchedule(policy, () => 1).afterRefusal(8_000)).toBe(16_000);
    const rnd = seededRandom(3);
    for (let i = 0; i < 100; i++) {
      const d = new ReconnectSchedule(policy, rnd).afterRefusal(2_000);
      expect(d).toBeGreaterThanOrEqual(2_000);
      expect(d).toBeLessThanOrEqual(4_000);
    }
  });

  it('after a close: a 4429 with a hint waits the hint, a dropped session the window, a failed attempt grows', () => {
    const at = (code: number, reason: string, established: boolean) => new ReconnectSchedule(policy, () => 1).afterClose(code, reason, established);
    expect(at(AgentCloseCode.TryAgainLater, 'max agents; retry-after-ms=7000', false)).toBe(14_000);
    expect(at(AgentCloseCode.GoingAway, 'hub shutting down', true)).toBe(10_000);
    expect(at(1006, '', false)).toBe(300);
    // A 4429 without a hint is an ordinary failed attempt.
    expect(at(AgentCloseCode.TryAgainLater, 'try again later', false)).toBe(300);
  });
});
