import { describe, expect, it } from 'vitest';
import { DEADLINE_GRACE_SECONDS, runDeadline } from './deadline.js';

describe('execution run deadline', () => {
  it('is the timeout plus the grace after dispatch, so the agent reports TIMED_OUT first', () => {
    const dispatched = new Date('2026-03-01T12:00:00.000Z');
    expect(runDeadline(dispatched, 60).getTime() - dispatched.getTime()).toBe((60 + DEADLINE_GRACE_SECONDS) * 1000);
  });
});
