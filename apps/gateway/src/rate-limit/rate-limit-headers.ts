import type { Response } from 'express';
import type { Quota } from './rate-limiter.js';

export const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After'] as const;

const SHOWN = Symbol('rate-limit quota shown');
type WithShown = Response & { [SHOWN]?: Quota };

/**
 * Sets the X-RateLimit-* headers to `quota` unless the response already shows a more
 * restrictive one: a request counted against its ip and then its principal shows whichever
 * has fewer requests left (on a tie, the one that takes longer to free up).
 */
export function showQuota(res: Response, quota: Quota): void {
  const r = res as WithShown;
  const shown = r[SHOWN];
  if (shown && (shown.remaining < quota.remaining || (shown.remaining === quota.remaining && shown.resetSeconds >= quota.resetSeconds))) return;
  r[SHOWN] = quota;
  res.setHeader('X-RateLimit-Limit', String(quota.limit));
  res.setHeader('X-RateLimit-Remaining', String(quota.remaining));
  res.setHeader('X-RateLimit-Reset', String(quota.resetSeconds));
}
