import { describe, expect, it } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import { AdmissionControl } from './admission-control.js';

const limits = { MAX_AGENTS: 3, MAX_CONNECTS_PER_SECOND: 2, MAX_CONCURRENT_HELLOS: 2, MAX_PENDING_HANDSHAKES: 100, ADMISSION_RETRY_AFTER_MS: 4_000 };

/** Admission control taking upgrades, as the endpoint sets it once the hub is up. */
const accepting = (l = limits, clock = new FakeClock()) => {
  const a = new AdmissionControl(l, clock);
  a.setAccepting(true);
  return a;
};

describe(AdmissionControl.name, () => {
  it('takes a burst of one second of upgrades, then refuses with the retry-after until the bucket refills', () => {
    const clock = new FakeClock();
    const a = accepting(limits, clock);
    expect(a.admitUpgrade(0)).toBeUndefined();
    expect(a.admitUpgrade(1)).toBeUndefined();
    expect(a.admitUpgrade(2)).toEqual({ reason: 'connects_per_second', retryAfterMs: 4_000 });
    clock.advance(499);
    expect(a.admitUpgrade(2)?.reason).toBe('connects_per_second');
    clock.advance(1);
    expect(a.admitUpgrade(2)).toBeUndefined();
  });

  it('never banks more than one second of upgrades, however long it was quiet', () => {
    const clock = new FakeClock();
    const a = accepting({ ...limits, MAX_AGENTS: 100 }, clock);
    clock.advance(60_000);
    const admitted = Array.from({ length: 5 }, (_, i) => a.admitUpgrade(i)).filter((r) => r === undefined);
    expect(admitted).toHaveLength(2);
  });

  it('refuses an upgrade beyond MAX_AGENTS without spending a token', () => {
    const a = accepting();
    expect(a.admitUpgrade(3)).toEqual({ reason: 'max_agents', retryAfterMs: 4_000 });
    expect(a.admitUpgrade(2)).toBeUndefined();
    expect(a.admitUpgrade(2)).toBeUndefined();
  });

  it('refuses every upgrade before it is accepting (starting) and after it stopped (shutting down)', () => {
    const a = new AdmissionControl(limits, new FakeClock());
    expect(a.admitUpgrade(0)).toEqual({ reason: 'not_ready', retryAfterMs: 4_000 });
    a.setAccepting(true);
    expect(a.admitUpgrade(0)).toBeUndefined();
    a.setAccepting(false);
    expect(a.admitUpgrade(0)?.reason).toBe('not_ready');
    expect(a.handshakesInProgress).toBe(1);
  });

  it('counts an admitted upgrade as a handshake until it ends, and refuses beyond MAX_PENDING_HANDSHAKES', () => {
    const clock = new FakeClock();
    const a = accepting({ ...limits, MAX_AGENTS: 100, MAX_CONNECTS_PER_SECOND: 100, MAX_PENDING_HANDSHAKES: 2 }, clock);
    expect(a.admitUpgrade(0)).toBeUndefined();
    expect(a.admitUpgrade(1)).toBeUndefined();
    expect(a.handshakesInProgress).toBe(2);
    expect(a.admitUpgrade(2)).toEqual({ reason: 'pending_handshakes', retryAfterMs: 4_000 });
    a.endHandshake();
    expect(a.admitUpgrade(2)).toBeUndefined();
    for (let i = 0; i < 5; i++) a.endHandshake();
    expect(a.handshakesInProgress).toBe(0);
  });

  it('refuses an upgrade while every HELLO slot is taken: its HELLO would be refused anyway', () => {
    const a = accepting({ ...limits, MAX_AGENTS: 100 });
    expect(a.beginHello()).toBeUndefined();
    expect(a.beginHello()).toBeUndefined();
    expect(a.admitUpgrade(0)).toEqual({ reason: 'concurrent_hellos', retryAfterMs: 4_000 });
    a.endHello();
    expect(a.admitUpgrade(0)).toBeUndefined();
  });

  it('holds at most MAX_CONCURRENT_HELLOS, and a slot given back is taken again', () => {
    const a = accepting();
    expect(a.beginHello()).toBeUndefined();
    expect(a.beginHello()).toBeUndefined();
    expect(a.beginHello()).toEqual({ reason: 'concurrent_hellos', retryAfterMs: 4_000 });
    a.endHello();
    expect(a.hellosInProgress).toBe(1);
    expect(a.beginHello()).toBeUndefined();
  });
});
