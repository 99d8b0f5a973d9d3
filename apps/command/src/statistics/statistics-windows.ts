/** The minutes executionsPerMinute reports: the current one and the 59 before it. */
export const MINUTES = 60;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What GetCommandStatistics counts, all relative to one instant. */
export interface StatisticsWindows {
  now: Date;
  /** Commands created at or after this are in lastHour (and lastDay). */
  hourFrom: Date;
  dayFrom: Date;
  /** The start of the oldest reported minute; the current minute is the last of MINUTES. */
  firstMinute: Date;
}

export const startOfMinute = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/**
 * Sliding windows ending now (the last hour is "since 60 minutes ago", not
 * "since the top of the hour"), and for executions the whole minutes that
 * date_trunc('minute', …) buckets into, ending with the unfinished current one.
 */
export function statisticsWindows(nowMs: number): StatisticsWindows {
  return {
    now: new Date(nowMs),
    hourFrom: new Date(nowMs - HOUR_MS),
    dayFrom: new Date(nowMs - DAY_MS),
    firstMinute: new Date(startOfMinute(nowMs) - (MINUTES - 1) * MINUTE_MS),
  };
}

/**
 * MINUTES buckets from `firstMinute`, oldest first, each with the count the
 * query found for it or 0. Rows outside the window (a clock ahead of this
 * one) are dropped rather than stretching the series.
 */
export function zeroFilledMinutes(firstMinute: Date, counted: ReadonlyArray<{ minute: Date; count: number }>): Array<{ minute: Date; count: number }> {
  const byMinute = new Map(counted.map((c) => [startOfMinute(c.minute.getTime()), c.count]));
  return Array.from({ length: MINUTES }, (_, i) => {
    const at = firstMinute.getTime() + i * MINUTE_MS;
    return { minute: new Date(at), count: byMinute.get(at) ?? 0 };
  });
}
