import { describe, expect, it } from 'vitest';
import { TimerWheel } from './timer-wheel.js';

describe('TimerWheel', () => {
  const wheel = () => {
    let now = 1_000_000;
    const ran: string[] = [];
    const w = new TimerWheel<string>(
      (item) => ran.push(item),
      100,
      () => now,
    );
    return { w, ran, advanceTo: (ms: number) => ((now = 1_000_000 + ms), w.advance()) };
  };

  it('runs an item in the first tick at or after its delay, not before', () => {
    const { w, ran, advanceTo } = wheel();
    w.after(250, 'a');
    advanceTo(299);
    expect(ran).toEqual([]);
    advanceTo(300);
    expect(ran).toEqual(['a']);
  });

  it('never runs an item in the tick it was added, even with no delay', () => {
    const { w, ran, advanceTo } = wheel();
    advanceTo(50);
    w.after(0, 'now');
    expect(ran).toEqual([]);
    advanceTo(100);
    expect(ran).toEqual(['now']);
  });

  it('catches up every bucket a late interval skipped, in order', () => {
    const { w, ran, advanceTo } = wheel();
    w.after(100, 'first');
    w.after(500, 'third');
    w.after(200, 'second');
    advanceTo(1_000);
    expect(ran).toEqual(['first', 'second', 'third']);
    expect(w.pending).toBe(0);
  });

  it('runs an item once: what it re-adds goes into a later bucket', () => {
    let now = 0;
    const seen: number[] = [];
    const w: TimerWheel<number> = new TimerWheel<number>(
      (n) => {
        seen.push(n);
        if (n < 3) w.after(100, n + 1);
      },
      100,
      () => now,
    );
    w.after(100, 1);
    now = 100;
    w.advance();
    expect(seen).toEqual([1]);
    // Late by a tick: 2 runs in the catch-up, and 3 is due 100 ms after that, not in the past.
    now = 300;
    w.advance();
    expect(seen).toEqual([1, 2]);
    now = 400;
    w.advance();
    expect(seen).toEqual([1, 2, 3]);
  });
});
