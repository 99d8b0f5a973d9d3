import { describe, expect, it } from 'vitest';
import { InstantText } from './instant-text.js';

describe('InstantText', () => {
  it('writes what toISOString writes, across hours, days, years and fractional milliseconds', () => {
    const text = new InstantText();
    const instants = [
      0,
      1,
      59_999,
      3_599_999,
      3_600_000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 2, 1, 0, 0, 0, 0),
      Date.UTC(2026, 11, 31, 23, 0, 0, 5),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      1_796_099_100_000.75,
    ];
    // Minute steps over a day and a random walk, in order and out of order.
    for (let i = 0; i < 1_440; i++) instants.push(Date.UTC(2026, 11, 1) + i * 60_000);
    let at = Date.UTC(2026, 5, 1);
    for (let i = 0; i < 2_000; i++) instants.push((at += Math.floor(Math.random() * 7_200_000) - 3_000_000));
    for (const ms of instants) expect(text.of(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('leaves instants outside four-digit years to toISOString', () => {
    const text = new InstantText();
    for (const ms of [-1, -62_198_755_200_000, 253_402_300_800_000]) expect(text.of(ms)).toBe(new Date(ms).toISOString());
  });
});
