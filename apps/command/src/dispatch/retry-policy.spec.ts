import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NatsRequestError } from '@fleetplane/service-kit/nats';
import { parseJobData } from '@fleetplane/service-kit/queue';
import {
  backoffMs,
  classifyDispatchError,
  decideRetry,
  DispatchRefusedError,
  dispatchRetryPolicy,
  meansAgentNotConnected,
  PermanentDispatchError,
} from './retry-policy.js';

const nats = (kind: NatsRequestError['kind']) => new NatsRequestError(kind, kind);

describe('dispatch retry policy', () => {
  it('treats no responders, NATS timeouts, refusals, Redis and database errors as transient', () => {
    expect(classifyDispatchError(nats('no_responders'))).toBe('transient');
    expect(classifyDispatchError(nats('timeout'))).toBe('transient');
    expect(classifyDispatchError(new DispatchRefusedError('socket gone'))).toBe('transient');
    expect(classifyDispatchError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyDispatchError(Object.assign(new Error("Can't reach database server"), { code: 'P1001' }))).toBe('transient');
  });

  it('treats validation failures and contract-breaking replies as permanent', () => {
    expect(classifyDispatchError(new PermanentDispatchError('params.argv: too short'))).toBe('permanent');
    expect(classifyDispatchError(nats('invalid_reply'))).toBe('permanent');
  });

  it('fails a malformed job at once and leaves the rest to the worker as the same classification', () => {
    let malformed: unknown;
    try {
      parseJobData(z.object({ executionId: z.uuid() }), { executionId: 'nope' }, 'dispatch');
    } catch (err) {
      malformed = err;
    }
    expect(dispatchRetryPolicy.classify(malformed)).toBe('permanent');
    expect(dispatchRetryPolicy.classify(nats('invalid_reply'))).toBe('permanent');
    expect(dispatchRetryPolicy.classify(Object.assign(new Error('Connection is closed.'), { code: 'ECONNRESET' }))).toBe('transient');
  });

  it('backs off exponentially from 500 ms, capped at 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(backoffMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('retries only while the next try starts before the deadline', () => {
    expect(decideRetry(nats('no_responders'), 1, 0, 10_000)).toEqual({ retry: true, delayMs: 500 });
    expect(decideRetry(nats('no_responders'), 3, 7_000, 10_000)).toEqual({ retry: true, delayMs: 2000 });
    expect(decideRetry(nats('no_responders'), 3, 8_000, 10_000)).toEqual({ retry: false });
    expect(decideRetry(new PermanentDispatchError('x'), 1, 0, 10_000)).toEqual({ retry: false });
  });

  it('knows which failures mean the agent is not connected', () => {
    expect(meansAgentNotConnected(nats('no_responders'))).toBe(true);
    expect(meansAgentNotConnected(new DispatchRefusedError('gone'))).toBe(true);
    expect(meansAgentNotConnected(nats('timeout'))).toBe(false);
  });
});
