import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InjectRedis } from '@fleetplane/service-kit/redis';
import type { RateSpec } from './rate-spec.js';

/** Where a key stands after one request was counted against it (or refused). */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Requests still allowed right now. */
  remaining: number;
  /** Until the key is back at its full limit (nothing counted against it any more). */
  resetMs: number;
  /** Refused: until one more request would be allowed. 0 when allowed. */
  retryAfterMs: number;
}

/** The part of Redis the limiter uses, so unit tests can hand it a fake. */
export interface RateStore {
  take(key: string, spec: RateSpec): Promise<RateDecision>;
}

/**
 * GCRA (the generic cell rate algorithm, a sliding window without buckets): a key holds one
 * number, its theoretical arrival time (TAT) — when it would be back to full if nothing more
 * came. Each request moves it on by the emission interval T = window / limit; a request is
 * refused when that would put the TAT more than one window ahead of now. So `limit` requests
 * may come at once, then one every T, and no boundary lets twice the limit through (as a fixed
 * window does). The clock is Redis's own (TIME), so every gateway instance shares both the
 * state and the clock; the key expires when it is back to full.
 *
 * KEYS[1] the key; ARGV[1] limit, ARGV[2] window in ms.
 * Returns {allowed 0|1, remaining, resetMs, retryAfterMs}.
 */
const GCRA_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local interval = window / limit
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
local allow_at = next_tat - window
if allow_at > now then
  return {0, 0, math.ceil(tat - now), math.ceil(allow_at - now)}
end
-- At least 1 ms: an interval below the clock's resolution (a limit of millions per second) would round to PX 0.
redis.call('SET', KEYS[1], string.format('%.3f', next_tat), 'PX', math.max(1, math.ceil(next_tat - now)))
-- The epsilon keeps float error (1000 / 7 ms intervals) from costing a request.
return {1, math.floor((now - allow_at) / interval + 1e-9), math.ceil(next_tat - now), 0}
`;

/**
 * How long a check waits for Redis. Past it the check counts as unavailable (FAILS_OPEN decides):
 * a Redis that hangs must not hang every request with it. Loopback answers in well under 1 ms.
 */
export const ANSWER_WITHIN_MS = 500;

type GcraRedis = Redis & { gcra(key: string, limit: number, windowMs: number): Promise<[number, number, number, number]> };

/**
 * The GCRA script as an ioredis command: EVALSHA, falling back to EVAL when Redis lost its
 * script cache (a restart), so limiting resumes by itself after an outage. Defined on first
 * use rather than at construction, so building the app touches no connection.
 */
@Injectable()
export class GcraStore implements RateStore {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async take(key: string, spec: RateSpec): Promise<RateDecision> {
    const [allowed, remaining, resetMs, retryAfterMs] = await withinDeadline(this.script().gcra(key, spec.limit, spec.windowMs));
    return { allowed: allowed === 1, limit: spec.limit, remaining, resetMs, retryAfterMs };
  }

  private script(): GcraRedis {
    if (!('gcra' in this.redis)) this.redis.defineCommand('gcra', { numberOfKeys: 1, lua: GCRA_LUA });
    return this.redis as GcraRedis;
  }
}

function withinDeadline<T>(answer: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS);
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}
