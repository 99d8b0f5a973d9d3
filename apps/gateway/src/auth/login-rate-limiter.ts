import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InjectConfig } from '@fleetplane/service-kit';
import { InjectRedis } from '@fleetplane/service-kit/redis';
import type { GatewayConfig } from '../config.js';
import { sha256 } from '../crypto/secrets.js';

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The part of Redis the limiter uses, so unit tests can hand it a fake. */
export interface CounterStore {
  hit(key: string, windowSeconds: number): Promise<{ count: number; ttlSeconds: number }>;
}

@Injectable()
export class RedisCounterStore implements CounterStore {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  /** INCR and EXPIRE NX in one transaction: the window starts at the first attempt and always ends. */
  async hit(key: string, windowSeconds: number): Promise<{ count: number; ttlSeconds: number }> {
    const replies = await this.redis.multi().incr(key).expire(key, windowSeconds, 'NX').ttl(key).exec();
    if (!replies) throw new Error('redis transaction aborted');
    for (const [err] of replies) if (err) throw err;
    return { count: Number(replies[0]![1]), ttlSeconds: Number(replies[2]![1]) };
  }
}

/**
 * Two fixed windows of LOGIN_RATE_WINDOW_SECONDS: LOGIN_RATE_LIMIT attempts for one ip+email
 * (guessing one account's password), and LOGIN_IP_RATE_LIMIT for one ip across every email
 * (trying a few passwords on many accounts). An attempt counts against both, and is refused
 * when either is over. The keys are hashes, so Redis never holds the email addresses (nor the
 * ips) being tried.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(
    @Inject(RedisCounterStore) private readonly store: CounterStore,
    @InjectConfig() private readonly config: Pick<GatewayConfig, 'LOGIN_RATE_LIMIT' | 'LOGIN_IP_RATE_LIMIT' | 'LOGIN_RATE_WINDOW_SECONDS'>,
  ) {}

  async attempt(ip: string | null, email: string): Promise<RateVerdict> {
    const window = this.config.LOGIN_RATE_WINDOW_SECONDS;
    const [pair, fromIp] = await Promise.all([
      this.store.hit(`gateway:login:${sha256(`${ip ?? '-'}|${email}`)}`, window),
      this.store.hit(`gateway:login-ip:${sha256(ip ?? '-')}`, window),
    ]);
    const waits = [
      ...(pair.count > this.config.LOGIN_RATE_LIMIT ? [pair.ttlSeconds] : []),
      ...(fromIp.count > this.config.LOGIN_IP_RATE_LIMIT ? [fromIp.ttlSeconds] : []),
    ].map((ttl) => (ttl > 0 ? ttl : window));
    // Both over: wait until both have ended.
    return waits.length === 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(...waits) };
  }
}
