import { NatsRequestError } from '@fleetplane/service-kit/nats';
import { PermanentJobError, type FailureKind, type RetryPolicy } from '@fleetplane/service-kit/queue';

/**
 * Dispatch retry policy.
 *
 * Transient (retried with exponential backoff 500 ms → 10 s, until the
 * execution's deadline):
 *  - NATS `no_responders`: no hub holds the agent's socket right now (it may reconnect);
 *  - NATS `timeout`: the hub did not answer in time;
 *  - a hub that answered `{ accepted: false }` (the socket closed under it);
 *  - Redis and database errors (connection lost, pool exhausted, ...);
 *  - anything unrecognised: retrying until the deadline loses less than giving up.
 * Permanent (the execution fails at once): a command that no longer passes
 * validation, or a hub reply that does not match the contract; and a
 * malformed dispatch job (the same data fails every time), which fails the
 * job without touching any execution.
 *
 * The dispatch worker retries by itself (decideRetry, then the job waits in
 * BullMQ's delayed set); `dispatchRetryPolicy` is the same classification for
 * what escapes a job to the worker base: permanent fails the job at once.
 */
export type ErrorClass = FailureKind;

/** Thrown for failures retrying cannot fix. */
export class PermanentDispatchError extends Error {
  override name = 'PermanentDispatchError';
}

/** The hub was reached but refused the command (socket gone): the agent may come back. */
export class DispatchRefusedError extends Error {
  override name = 'DispatchRefusedError';
}

export function classifyDispatchError(err: unknown): ErrorClass {
  if (err instanceof PermanentDispatchError || err instanceof PermanentJobError) return 'permanent';
  if (err instanceof NatsRequestError) return err.kind === 'invalid_reply' ? 'permanent' : 'transient';
  return 'transient';
}

/** The dispatch worker's policy (see above). */
export const dispatchRetryPolicy: RetryPolicy = { classify: classifyDispatchError };

/** True when the failure means the agent is not reachable through any hub. */
export function meansAgentNotConnected(err: unknown): boolean {
  return (err instanceof NatsRequestError && err.kind === 'no_responders') || err instanceof DispatchRefusedError;
}

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 10_000;

/** Delay before the next try after `failedAttempts` (≥ 1) failed ones: 500 ms, 1 s, 2 s, ... capped at 10 s. */
export function backoffMs(failedAttempts: number): number {
  const exp = Math.max(0, failedAttempts - 1);
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(exp, 30));
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/** Retry a transient failure only if the next try would still start before the deadline. */
export function decideRetry(err: unknown, failedAttempts: number, now: number, deadline: number): RetryDecision {
  if (classifyDispatchError(err) === 'permanent') return { retry: false };
  const delayMs = backoffMs(failedAttempts);
  return now + delayMs < deadline ? { retry: true, delayMs } : { retry: false };
}
