import { describe, expect, it } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import type { SessionRegistry } from './session-registry.js';
import { SessionTimerWheel } from './session-timer-wheel.js';

/** What the sweep reads of a session, and what it calls. */
class FakeSession {
  idledWith?: number;
  constructor(
    public lastFrameAtMs: number,
    public isOpen = true,
  ) {}
  idleTimedOut(ms: number): void {
    this.idledWith = ms;
    this.isOpen = false;
  }
}

function wheel(sessions: FakeSession[], clock: FakeClock) {
  const registry = { all: () => sessions.values() } as unknown as SessionRegistry;
  return new SessionTimerWheel({ HEARTBEAT_INTERVAL_MS: 1_000 }, registry, clock);
}

describe(SessionTimerWheel.name, () => {
  it('idles out, in one sweep, every open session silent for longer than three heartbeats, and only those', () => {
    const clock = new FakeClock();
    const t0 = clock.nowMs();
    const quiet = new FakeSession(t0);
    const chatty = new FakeSession(t0);
    const closed = new FakeSession(t0, false);
    const w = wheel([quiet, chatty, closed], clock);
    clock.advance(3_000);
    expect(w.sweep()).toBe(0);
    chatty.lastFrameAtMs = clock.nowMs();
    clock.advance(1);
    expect(w.sweep()).toBe(1);
    expect(quiet.idledWith).toBe(3_000);
    expect(chatty.idledWith).toBeUndefined();
    expect(closed.idledWith).toBeUndefined();
  });

  it('sweeps often enough that a silent socket goes within a tenth of its idle limit (at most a second)', () => {
    expect(wheel([], new FakeClock()).sweepMs).toBe(300);
    const slow = new SessionTimerWheel({ HEARTBEAT_INTERVAL_MS: 15_000 }, { all: () => [].values() } as unknown as SessionRegistry, new FakeClock());
    expect(slow.sweepMs).toBe(1_000);
  });

  it('handles 50,000 sessions in one pass without a timer each', () => {
    const clock = new FakeClock();
    const sessions = Array.from({ length: 50_000 }, (_, i) => new FakeSession(clock.nowMs() - (i % 2 === 0 ? 10_000 : 0)));
    expect(wheel(sessions, clock).sweep()).toBe(25_000);
  });
});
