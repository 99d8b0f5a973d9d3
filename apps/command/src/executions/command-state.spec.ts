import { describe, expect, it } from 'vitest';
import { deriveCommandState } from './command-state.js';

describe(deriveCommandState.name, () => {
  it('is the least advanced state while any execution is unfinished', () => {
    expect(deriveCommandState(['QUEUED'])).toBe('QUEUED');
    expect(deriveCommandState(['RUNNING', 'QUEUED', 'DISPATCHED'])).toBe('QUEUED');
    expect(deriveCommandState(['RUNNING', 'DISPATCHED'])).toBe('DISPATCHED');
    expect(deriveCommandState(['PENDING', 'RUNNING'])).toBe('PENDING');
  });

  it('stays unfinished while one execution is, even if others failed', () => {
    expect(deriveCommandState(['FAILED', 'RUNNING'])).toBe('RUNNING');
    expect(deriveCommandState(['COMPLETED', 'TIMED_OUT', 'DISPATCHED'])).toBe('DISPATCHED');
  });

  it('is COMPLETED only when every execution completed', () => {
    expect(deriveCommandState(['COMPLETED'])).toBe('COMPLETED');
    expect(deriveCommandState(['COMPLETED', 'COMPLETED'])).toBe('COMPLETED');
  });

  it('names the worst outcome once all are finished: FAILED, then TIMED_OUT, then CANCELLED', () => {
    expect(deriveCommandState(['COMPLETED', 'CANCELLED'])).toBe('CANCELLED');
    expect(deriveCommandState(['CANCELLED', 'TIMED_OUT', 'COMPLETED'])).toBe('TIMED_OUT');
    expect(deriveCommandState(['TIMED_OUT', 'FAILED', 'CANCELLED'])).toBe('FAILED');
  });

  it('reads as PENDING with no executions', () => {
    expect(deriveCommandState([])).toBe('PENDING');
  });
});
