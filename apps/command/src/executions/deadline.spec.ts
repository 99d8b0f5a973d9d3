import { describe, expect, it } from 'vitest';
import { DEADLINE_GRACE_SECONDS, deadlineFor, runBudgetSeconds } from './deadline.js';

describe('execution deadlines', () => {
  const created = new Date('2026-03-01T12:00:00.000Z');
  const deadline = deadlineFor(created, 60).getTime();

  it('is the timeout plus the grace after submission', () => {
    expect(deadline - created.getTime()).toBe((60 + DEADLINE_GRACE_SECONDS) * 1000);
  });

  it('gives the agent the full timeout when dispatched at once', () => {
    expect(runBudgetSeconds(60, deadline, created.getTime())).toBe(60);
    expect(runBudgetSeconds(60, deadline, created.getTime() + 400)).toBe(60);
  });

  it('cuts the run time by the time spent queued, never below 1 s', () => {
    expect(runBudgetSeconds(60, deadline, created.getTime() + 20_000)).toBe(40);
    expect(runBudgetSeconds(60, deadline, deadline - 1000)).toBe(1);
  });
});
