import { ServiceUnavailableException, type HttpException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { RateLimitedException } from '../http/rate-limited.exception.js';
import { clientIp } from '../http/caller.js';
import type { Principal } from '../auth/principal.js';
import { showQuota } from './rate-limit-headers.js';
import type { RateLimiter, RateVerdict } from './rate-limiter.js';
import { routeClassOf, type RouteClass } from './route-class.js';

const API_PREFIX = '/api/v1';
const underApi = (path: string) => {
  const p = path.toLowerCase();
  return p === API_PREFIX || p === `${API_PREFIX}/` || p.startsWith(`${API_PREFIX}/`);
};

/** Left on the response by the pre-authentication check for the one after authentication. */
const PENDING = Symbol('rate-limit after authentication');
type WithPending = Response & { [PENDING]?: { limiter: RateLimiter; routeClass: RouteClass } };

/** The verdict's headers on `res`, and the exception that refuses the request, if it is refused. */
function applyVerdict(res: Response, verdict: RateVerdict | null): HttpException | undefined {
  if (!verdict) return undefined;
  showQuota(res, verdict.quota);
  if (verdict.outcome === 'limited') {
    res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
    return new RateLimitedException(verdict.retryAfterSeconds, 'too many requests; retry later');
  }
  if (verdict.outcome === 'unavailable' && !verdict.failOpen) return new ServiceUnavailableException('rate limiting is temporarily unavailable; retry later');
  return undefined;
}

/**
 * The Express middleware in front of every `/api/v1` route (before body parsing and
 * authentication): counts the request against its client ip and answers 429 or 503 itself,
 * through `answer` (the exception filter's body). Probes, /metrics and the API's description
 * are outside the prefix and never counted.
 */
export function limitBeforeAuthentication(limiter: RateLimiter, answer: (res: Response, err: HttpException) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!limiter.enabled || !underApi(req.path)) return next();
    const routeClass = routeClassOf(req.method, req.path);
    limiter.check(routeClass, { scope: 'ip', ip: clientIp(req) }).then(
      (verdict) => {
        const refusal = applyVerdict(res, verdict);
        if (refusal) return answer(res, refusal);
        if (routeClass !== 'auth') (res as WithPending)[PENDING] = { limiter, routeClass };
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/**
 * AccessGuard's call once the principal is known: counts a read or write against the API key
 * or user, and throws the 429 (or 503) that refuses it. A request the middleware did not see
 * (limits off, auth routes) is not counted again.
 */
export async function limitAuthenticated(req: Request, res: Response): Promise<void> {
  const pending = (res as WithPending)[PENDING];
  const principal = req.user as Principal | undefined;
  if (!pending || !principal) return;
  delete (res as WithPending)[PENDING];
  const refusal = applyVerdict(res, await pending.limiter.check(pending.routeClass, { scope: 'principal', principal }));
  if (refusal) throw refusal;
}
