import { describe, expect, it } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import { AdmissionControl } from './admission-control.js';

const limits = { MAX_AGENTS: 3, MAX_CONNECTS_PER_SECOND: 2, MAX_CONCURRENT_HELLOS: 2, ADMISSION_RETRY_AFTER_MS: 4_000 };

describe(AdmissionControl.name, () => {
  it('takes a burst of one second of connections, then refuses with the retry-after until the bucket refills', () => {
    const clock = new FakeClock();
    const a = new AdmissionControl(limits, clock);
    expect(a.admitConnection(0)).toBeUndefined();
    expect(a.admitConnection(1)).toBeUndefined();
    expect(a.admitConnection(2)).toEqual({ reason: 'connects_per_second', retryAfterMs: 4_000 });
    clock.advance(499);
    expect(a.admitConnection(2)?.reason).toBe('connects_per_second');
    clock.advance(1);
    expect(a.admitConnection(2)).toBeUndefined();
  });

  it('never banks more than one second of connections, however long it was quiet', () => {
    const clock = new FakeClock();
    const a = new AdmissionControl({ ...limits, MAX_AGENTS: 100 }, clock);
    clock.advance(60_000);
    const admitted = Array.from({ length: 5 }, (_, i) => a.admitConnection(i)).filter((r) => r === undefined);
    expect(admitted).toHaveLength(2);
  });

  it('refuses a connection beyond MAX_AGENTS without spending a token', () => {
    const clock = new FakeClock();
    const a = new AdmissionControl(limits, clock);
    expect(a.admitConnection(3)).toEqual({ reason: 'max_agents', retryAfterMs: 4_000 });
    expect(a.admitConnection(2)).toBeUndefined();
    expect(a.admitConnection(2)).toBeUndefined();
  });

  it('holds at most MAX_CONCURRENT_HELLOS, and a slot given back is taken again', () => {
    const a = new AdmissionControl(limits, new FakeClock());
    expect(a.beginHello()).toBeUndefined();
    expect(a.beginHello()).toBeUndefined();
    expect(a.beginHello()).toEqual({ reason: 'concurrent_hellos', retryAfterMs: 4_000 });
    a.endHello();
    expect(a.hellosInProgress).toBe(1);
    expect(a.beginHello()).toBeUndefined();
  });
});
