import { describe, expect, it } from 'vitest';
import type { ExecutionState } from '../generated/prisma/enums.js';
import { countStates, deriveCommandState } from './command-state.js';

const derive = (states: ExecutionState[], endedForErrors = false) => deriveCommandState(countStates(states), endedForErrors);

describe(deriveCommandState.name, () => {
  it('is the least advanced state while any execution is unfinished', () => {
    expect(derive(['QUEUED'])).toBe('QUEUED');
    expect(derive(['RUNNING', 'QUEUED', 'DISPATCHED'])).toBe('QUEUED');
    expect(derive(['RUNNING', 'DISPATCHED'])).toBe('DISPATCHED');
    expect(derive(['PENDING', 'RUNNING'])).toBe('PENDING');
  });

  it('stays unfinished while one execution is, even if others failed', () => {
    expect(derive(['FAILED', 'RUNNING'])).toBe('RUNNING');
    expect(derive(['COMPLETED', 'TIMED_OUT', 'DISPATCHED'])).toBe('DISPATCHED');
  });

  it('is COMPLETED only when every execution completed', () => {
    expect(derive(['COMPLETED'])).toBe('COMPLETED');
    expect(derive(['COMPLETED', 'COMPLETED'])).toBe('COMPLETED');
  });

  it('names the worst outcome once all are finished: FAILED, then TIMED_OUT, then CANCELLED', () => {
    expect(derive(['COMPLETED', 'CANCELLED'])).toBe('CANCELLED');
    expect(derive(['CANCELLED', 'TIMED_OUT', 'COMPLETED'])).toBe('TIMED_OUT');
    expect(derive(['TIMED_OUT', 'FAILED', 'CANCELLED'])).toBe('FAILED');
  });

  it('counts EXPIRED after TIMED_OUT, ignores SKIPPED unless every execution was, and is FAILED when max errors ended it', () => {
    expect(derive(['COMPLETED', 'EXPIRED', 'CANCELLED'])).toBe('EXPIRED');
    expect(derive(['COMPLETED', 'SKIPPED'])).toBe('COMPLETED');
    expect(derive(['SKIPPED', 'SKIPPED'])).toBe('SKIPPED');
    expect(derive(['COMPLETED', 'SKIPPED'], true)).toBe('FAILED');
  });

  it('reads as PENDING with no executions', () => {
    expect(derive([])).toBe('PENDING');
  });
});
