import { describe, expect, it } from 'vitest';
import { EnrollmentGate } from './enrollment-gate.js';

describe('EnrollmentGate', () => {
  it('refuses work beyond its limit without running it, and frees a slot when work settles', async () => {
    const gate = new EnrollmentGate(2);
    const releases: Array<() => void> = [];
    const held = () => gate.run(() => new Promise<string>((resolve) => releases.push(() => resolve('done'))));
    const first = held();
    const second = held();
    let ranThird = false;
    expect(
      await gate.run(() => {
        ranThird = true;
        return Promise.resolve();
      }),
    ).toBeNull();
    expect(ranThird).toBe(false);
    expect(gate.size).toBe(2);
    releases[0]!();
    expect(await first).toEqual({ value: 'done' });
    expect(await gate.run(() => Promise.resolve('fits'))).toEqual({ value: 'fits' });
    releases[1]!();
    await second;
    expect(gate.size).toBe(0);
  });

  it('frees the slot when the work throws', async () => {
    const gate = new EnrollmentGate(1);
    await expect(gate.run(() => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await gate.run(() => Promise.resolve(1))).toEqual({ value: 1 });
  });
});
