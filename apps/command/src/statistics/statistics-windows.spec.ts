import { describe, expect, it } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import { MINUTES, statisticsWindows, zeroFilledMinutes } from './statistics-windows.js';

describe(statisticsWindows.name, () => {
  it('ends the hour and the day now, and the minutes with the current, unfinished one', () => {
    const clock = new FakeClock(Date.parse('2026-03-01T12:34:56.789Z'));
    const w = statisticsWindows(clock.nowMs());
    expect(w.now.toISOString()).toBe('2026-03-01T12:34:56.789Z');
    expect(w.hourFrom.toISOString()).toBe('2026-03-01T11:34:56.789Z');
    expect(w.dayFrom.toISOString()).toBe('2026-02-28T12:34:56.789Z');
    expect(w.firstMinute.toISOString()).toBe('2026-03-01T11:35:00.000Z');
  });

  it('moves the first minute only when the clock crosses a minute boundary', () => {
    const clock = new FakeClock(Date.parse('2026-03-01T12:34:00.000Z'));
    const first = statisticsWindows(clock.nowMs()).firstMinute.toISOString();
    clock.advance(59_999);
    expect(statisticsWindows(clock.nowMs()).firstMinute.toISOString()).toBe(first);
    clock.advance(1);
    expect(statisticsWindows(clock.nowMs()).firstMinute.toISOString()).toBe('2026-03-01T11:36:00.000Z');
  });
});

describe(zeroFilledMinutes.name, () => {
  const clock = new FakeClock(Date.parse('2026-03-01T12:34:56.000Z'));
  const { firstMinute } = statisticsWindows(clock.nowMs());

  it('answers 60 consecutive minutes, oldest first, zeros where nothing finished', () => {
    const series = zeroFilledMinutes(firstMinute, [
      { minute: new Date('2026-03-01T12:34:00.000Z'), count: 3 },
      { minute: new Date('2026-03-01T11:35:00.000Z'), count: 1 },
      { minute: new Date('2026-03-01T12:00:00.000Z'), count: 7 },
    ]);
    expect(series).toHaveLength(MINUTES);
    expect(series[0]).toEqual({ minute: new Date('2026-03-01T11:35:00.000Z'), count: 1 });
    expect(series[25]).toEqual({ minute: new Date('2026-03-01T12:00:00.000Z'), count: 7 });
    expect(series[59]).toEqual({ minute: new Date('2026-03-01T12:34:00.000Z'), count: 3 });
    expect(series.map((b) => b.minute.getTime() - firstMinute.getTime())).toEqual(Array.from({ length: MINUTES }, (_, i) => i * 60_000));
    expect(series.reduce((sum, b) => sum + b.count, 0)).toBe(11);
  });

  it('is all zeros for no rows, and drops rows outside the window', () => {
    const series = zeroFilledMinutes(firstMinute, [
      { minute: new Date('2026-03-01T12:35:00.000Z'), count: 5 },
      { minute: new Date('2026-03-01T11:34:00.000Z'), count: 5 },
    ]);
    expect(series.every((b) => b.count === 0)).toBe(true);
    expect(zeroFilledMinutes(firstMinute, []).every((b) => b.count === 0)).toBe(true);
  });
});
