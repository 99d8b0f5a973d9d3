import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import type { Principal } from '../auth/principal.js';
import type { GatewayConfig } from '../config.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { GcraStore, type RateDecision, type RateStore } from './gcra-store.js';
import { Headroom } from './headroom.js';
import { FAILS_OPEN } from './rate-limit-policy.js';
import type { RateSpec } from './rate-spec.js';
import type { RouteClass } from './route-class.js';

/** What the X-RateLimit-* headers say about the limit a request was counted against. */
export interface Quota {
  limit: number;
  remaining: number;
  /** Seconds until the window frees up (the key is back at its full limit). */
  resetSeconds: number;
}

export type RateVerdict =
  | { outcome: 'allowed'; quota: Quota }
  | { outcome: 'limited'; quota: Quota; retryAfterSeconds: number }
  /** Redis did not answer; `failOpen` says whether the request is served (see FAILS_OPEN). */
  | { outcome: 'unavailable'; quota: Quota; failOpen: boolean };

/** Whom a check counts against: the client ip (before authentication), or the authenticated principal. */
export type RateSubject = { scope: 'ip'; ip: string | null } | { scope: 'principal'; principal: Principal };

export type RateLimitConfig = Pick<
  GatewayConfig,
  'RATE_LIMIT_ENABLED' | 'RATE_LIMIT_IP' | 'RATE_LIMIT_AUTH' | 'RATE_LIMIT_READ' | 'RATE_LIMIT_WRITE' | 'RATE_LIMIT_STREAM'
>;

// One warning per class this often while Redis is away, with the count of the ones not logged.
const WARN_EVERY_MS = 30_000;
const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * The gateway's request limits, shared by every instance through Redis (GcraStore). Which limit
 * a check uses:
 * - per client ip, before authentication: `auth` requests against RATE_LIMIT_AUTH (they are
 *   anonymous), every other `/api/v1` request against RATE_LIMIT_IP — so a flood of bad
 *   credentials stops here, before it reaches the database;
 * - per principal (API key id, or user id), after authentication: RATE_LIMIT_READ / RATE_LIMIT_WRITE;
 * - per client ip, for a WebSocket connect to the stream: RATE_LIMIT_STREAM.
 * With RATE_LIMIT_ENABLED=false every check answers null and nothing is counted.
 */
@Injectable()
export class RateLimiter {
  private readonly log = new Logger('rate-limit');
  private readonly lastWarned = new Map<RouteClass, { at: number; skipped: number }>();
  private readonly headroom = new Headroom();

  constructor(
    @Inject(GcraStore) private readonly store: RateStore,
    @InjectConfig() private readonly config: RateLimitConfig,
    private readonly metrics: GatewayMetrics,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.config.RATE_LIMIT_ENABLED;
  }

  async check(routeClass: RouteClass, subject: RateSubject): Promise<RateVerdict | null> {
    if (!this.enabled) return null;
    const spec = this.specFor(routeClass, subject.scope);
    const key = this.keyFor(routeClass, subject);
    // Far from its limit: answered now, counted in Redis in the background (see Headroom).
    const spent = FAILS_OPEN[routeClass] ? this.headroom.spend(key, spec, this.clock.nowMs()) : null;
    if (spent) {
      this.metrics.rateLimitDecision(routeClass, subject.scope, 'allowed');
      void this.countInBackground(key, spec, routeClass);
      return { outcome: 'allowed', quota: spent };
    }
    try {
      const d = await this.store.take(key, spec);
      this.headroom.learn(key, d, this.clock.nowMs());
      const quota = { limit: d.limit, remaining: d.remaining, resetSeconds: seconds(d.resetMs) };
      this.metrics.rateLimitDecision(routeClass, subject.scope, d.allowed ? 'allowed' : 'limited');
      // Retry-After is at least 1: "0" would invite an immediate retry that is refused again.
      return d.allowed ? { outcome: 'allowed', quota } : { outcome: 'limited', quota, retryAfterSeconds: Math.max(1, seconds(d.retryAfterMs)) };
    } catch (err) {
      this.metrics.rateLimitDecision(routeClass, subject.scope, 'unavailable');
      const failOpen = FAILS_OPEN[routeClass];
      this.warnUnavailable(routeClass, failOpen, err);
      // Nothing was counted: the headers show the whole limit, free now.
      return { outcome: 'unavailable', quota: { limit: spec.limit, remaining: spec.limit, resetSeconds: 0 }, failOpen };
    }
  }

  /** The Redis count of a request already answered: it updates what the instance knows; a failure makes the next check wait. */
  private async countInBackground(key: string, spec: RateSpec, routeClass: RouteClass): Promise<void> {
    let d: RateDecision;
    try {
      d = await this.store.take(key, spec);
    } catch (err) {
      this.headroom.forget(key);
      this.warnUnavailable(routeClass, true, err);
      return;
    }
    this.headroom.learn(key, d, this.clock.nowMs());
  }

  private specFor(routeClass: RouteClass, scope: RateSubject['scope']): RateSpec {
    switch (routeClass) {
      case 'auth':
        return this.config.RATE_LIMIT_AUTH;
      case 'stream':
        return this.config.RATE_LIMIT_STREAM;
      case 'read':
        return scope === 'ip' ? this.config.RATE_LIMIT_IP : this.config.RATE_LIMIT_READ;
      case 'write':
        return scope === 'ip' ? this.config.RATE_LIMIT_IP : this.config.RATE_LIMIT_WRITE;
    }
  }

  /** The pre-authentication ip limit is one bucket for reads and writes alike (`any`). */
  private keyFor(routeClass: RouteClass, subject: RateSubject): string {
    if (subject.scope === 'ip') {
      const bucket = routeClass === 'read' || routeClass === 'write' ? 'any' : routeClass;
      return `gateway:rl:${bucket}:ip:${subject.ip ?? '-'}`;
    }
    const p = subject.principal;
    return p.kind === 'api_key' ? `gateway:rl:${routeClass}:key:${p.apiKeyId}` : `gateway:rl:${routeClass}:user:${p.userId}`;
  }

  private warnUnavailable(routeClass: RouteClass, failOpen: boolean, err: unknown): void {
    const now = this.clock.nowMs();
    const last = this.lastWarned.get(routeClass);
    if (last && now - last.at < WARN_EVERY_MS) {
      last.skipped++;
      return;
    }
    const skipped = last?.skipped ? ` (${last.skipped} more since the last warning)` : '';
    this.log.warn(`limiter unavailable, ${routeClass} requests ${failOpen ? 'served unlimited' : 'refused with 503'}: ${(err as Error).message}${skipped}`);
    this.lastWarned.set(routeClass, { at: now, skipped: 0 });
  }
}
