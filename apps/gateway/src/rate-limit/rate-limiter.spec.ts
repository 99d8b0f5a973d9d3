import type { Response } from 'express';
import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { metricsRegistry } from '@fleetplane/observability';
import { FakeClock, MetricFactory } from '@fleetplane/service-kit';
import type { Principal } from '../auth/principal.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { RateDecision, RateStore } from './gcra-store.js';
import { showQuota } from './rate-limit-headers.js';
import { RateLimiter, type RateLimitConfig } from './rate-limiter.js';
import { parseRateSpec, type RateSpec } from './rate-spec.js';

/** GCRA as the Lua script computes it, on a clock moved by hand; `down` makes every call fail like a lost connection. */
class FakeGcraStore implements RateStore {
  now = 0;
  down = false;
  readonly calls: { key: string; spec: RateSpec }[] = [];
  private readonly tats = new Map<string, number>();

  take(key: string, spec: RateSpec): Promise<RateDecision> {
    this.calls.push({ key, spec });
    if (this.down) return Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    const interval = spec.windowMs / spec.limit;
    const tat = Math.max(this.tats.get(key) ?? 0, this.now);
    const allowAt = tat + interval - spec.windowMs;
    if (allowAt > this.now)
      return Promise.resolve({ allowed: false, limit: spec.limit, remaining: 0, resetMs: tat - this.now, retryAfterMs: allowAt - this.now });
    this.tats.set(key, tat + interval);
    const remaining = Math.floor((this.now - allowAt) / interval + 1e-9);
    return Promise.resolve({ allowed: true, limit: spec.limit, remaining, resetMs: tat + interval - this.now, retryAfterMs: 0 });
  }
}

const spec = (s: string) => parseRateSpec(s)!;
const CONFIG: RateLimitConfig = {
  RATE_LIMIT_ENABLED: true,
  RATE_LIMIT_IP: spec('10/10s'),
  RATE_LIMIT_AUTH: spec('3/60s'),
  RATE_LIMIT_READ: spec('4/4s'),
  RATE_LIMIT_WRITE: spec('2/10s'),
  RATE_LIMIT_STREAM: spec('1/30s'),
};
const ALICE: Principal = { kind: 'user', userId: 'u-alice', email: 'alice@example.com', role: 'viewer' } as Principal;
const KEY: Principal = { kind: 'api_key', apiKeyId: 'k-1', userId: 'u-alice', role: 'viewer' } as Principal;

function setup(config: Partial<RateLimitConfig> = {}) {
  const store = new FakeGcraStore();
  const clock = new FakeClock();
  const limiter = new RateLimiter(store, { ...CONFIG, ...config }, new GatewayMetrics(new MetricFactory('gateway')), clock);
  // The registry is the process's: start each test from zero.
  const decisions = metricsRegistry.getSingleMetric('fleetplane_gateway_rate_limit_decisions_total')!;
  decisions.reset();
  const counted = async (labels: Record<string, string>) => {
    const metric = await decisions.get();
    return metric.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
  };
  return { store, clock, limiter, counted };
}

describe(RateLimiter.name, () => {
  it('answers a request far from its limit without waiting for Redis, still counts every request there, and waits again near the limit', async () => {
    const { store, limiter } = setup({ RATE_LIMIT_READ: spec('100/60s') });
    const alice = { scope: 'principal', principal: ALICE } as const;
    // Unknown key: waits for the verdict.
    expect((await limiter.check('read', alice))?.quota.remaining).toBe(99);
    // Known to be far from the limit: answered even while Redis is slow to answer.
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const take = store.take.bind(store);
    store.take = (key, s) => slow.then(() => take(key, s));
    const fast = await limiter.check('read', alice);
    expect(fast).toEqual({ outcome: 'allowed', quota: { limit: 100, remaining: 98, resetSeconds: 1 } });
    release();
    await slow;
    store.take = take;
    for (let i = 0; i < 200; i++) await limiter.check('read', alice);
    await new Promise((r) => setImmediate(r));
    // Every request reached Redis, and the limit still held: 100 allowed in the window, no more.
    expect(store.calls.filter((c) => c.key.endsWith('u-alice'))).toHaveLength(202);
    expect((await limiter.check('read', alice))?.outcome).toBe('limited');
  });

  it('never answers sign-in without a verdict from Redis', async () => {
    const { store, limiter } = setup({ RATE_LIMIT_AUTH: spec('1000/60s') });
    await limiter.check('auth', { scope: 'ip', ip: '10.0.0.1' });
    store.down = true;
    expect((await limiter.check('auth', { scope: 'ip', ip: '10.0.0.1' }))?.outcome).toBe('unavailable');
  });

  it('allows a principal its read limit at once, then refuses with the seconds until one more is allowed', async () => {
    const { store, limiter } = setup();
    const remaining = [];
    for (let i = 0; i < 4; i++) {
      const v = await limiter.check('read', { scope: 'principal', principal: ALICE });
      expect(v?.outcome).toBe('allowed');
      remaining.push(v!.quota.remaining);
    }
    expect(remaining).toEqual([3, 2, 1, 0]);
    expect(await limiter.check('read', { scope: 'principal', principal: ALICE })).toEqual({
      outcome: 'limited',
      quota: { limit: 4, remaining: 0, resetSeconds: 4 },
      retryAfterSeconds: 1,
    });
    // A sliding window: one interval (1 s) later exactly one more is allowed, not a whole window's worth.
    store.now = 1_000;
    expect((await limiter.check('read', { scope: 'principal', principal: ALICE }))?.outcome).toBe('allowed');
    expect((await limiter.check('read', { scope: 'principal', principal: ALICE }))?.outcome).toBe('limited');
  });

  it('keys API keys and users apart, and each class apart', async () => {
    const { store, limiter } = setup();
    await limiter.check('read', { scope: 'principal', principal: ALICE });
    await limiter.check('read', { scope: 'principal', principal: KEY });
    await limiter.check('write', { scope: 'principal', principal: KEY });
    expect(store.calls.map((c) => [c.key, c.spec])).toEqual([
      ['gateway:rl:read:user:u-alice', CONFIG.RATE_LIMIT_READ],
      ['gateway:rl:read:key:k-1', CONFIG.RATE_LIMIT_READ],
      ['gateway:rl:write:key:k-1', CONFIG.RATE_LIMIT_WRITE],
    ]);
  });

  it('counts reads and writes of one ip in one pre-authentication bucket, and sign-in and stream connects in their own', async () => {
    const { store, limiter } = setup();
    await limiter.check('read', { scope: 'ip', ip: '10.0.0.1' });
    await limiter.check('write', { scope: 'ip', ip: '10.0.0.1' });
    await limiter.check('auth', { scope: 'ip', ip: '10.0.0.1' });
    await limiter.check('stream', { scope: 'ip', ip: '10.0.0.1' });
    expect(store.calls.map((c) => [c.key, c.spec])).toEqual([
      ['gateway:rl:any:ip:10.0.0.1', CONFIG.RATE_LIMIT_IP],
      ['gateway:rl:any:ip:10.0.0.1', CONFIG.RATE_LIMIT_IP],
      ['gateway:rl:auth:ip:10.0.0.1', CONFIG.RATE_LIMIT_AUTH],
      ['gateway:rl:stream:ip:10.0.0.1', CONFIG.RATE_LIMIT_STREAM],
    ]);
  });

  it('with Redis away fails sign-in closed and reads, writes and stream connects open, and counts it', async () => {
    const { store, limiter, counted } = setup();
    store.down = true;
    expect(await limiter.check('auth', { scope: 'ip', ip: '10.0.0.1' })).toEqual({
      outcome: 'unavailable',
      quota: { limit: 3, remaining: 3, resetSeconds: 0 },
      failOpen: false,
    });
    for (const routeClass of ['read', 'write'] as const) {
      expect(await limiter.check(routeClass, { scope: 'principal', principal: ALICE })).toMatchObject({ outcome: 'unavailable', failOpen: true });
    }
    expect(await limiter.check('stream', { scope: 'ip', ip: '10.0.0.1' })).toMatchObject({ outcome: 'unavailable', failOpen: true });
    expect(await counted({ class: 'auth', scope: 'ip', outcome: 'unavailable' })).toBe(1);
    expect(await counted({ class: 'read', scope: 'principal', outcome: 'unavailable' })).toBe(1);
    // Back: counting resumes, with nothing carried over from the outage.
    store.down = false;
    expect(await limiter.check('auth', { scope: 'ip', ip: '10.0.0.1' })).toMatchObject({ outcome: 'allowed', quota: { remaining: 2 } });
    expect(await counted({ class: 'auth', scope: 'ip', outcome: 'allowed' })).toBe(1);
  });

  it('warns of an outage once per class every 30 s, with the count of the checks not logged', async () => {
    const { store, clock, limiter } = setup();
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      store.down = true;
      for (let i = 0; i < 5; i++) await limiter.check('read', { scope: 'principal', principal: ALICE });
      await limiter.check('auth', { scope: 'ip', ip: '10.0.0.1' });
      expect(warn.mock.calls.map(([m]) => String(m).split(':')[0])).toEqual([
        'limiter unavailable, read requests served unlimited',
        'limiter unavailable, auth requests refused with 503',
      ]);
      clock.advance(30_000);
      await limiter.check('read', { scope: 'principal', principal: ALICE });
      expect(warn).toHaveBeenCalledTimes(3);
      expect(String(warn.mock.calls[2]![0])).toMatch(/\(4 more since the last warning\)$/);
    } finally {
      warn.mockRestore();
    }
  });

  it('counts decisions by class, scope and outcome', async () => {
    const { limiter, counted } = setup();
    for (let i = 0; i < 3; i++) await limiter.check('write', { scope: 'principal', principal: KEY });
    expect(await counted({ class: 'write', scope: 'principal', outcome: 'allowed' })).toBe(2);
    expect(await counted({ class: 'write', scope: 'principal', outcome: 'limited' })).toBe(1);
  });

  it('with RATE_LIMIT_ENABLED=false answers null and asks the store nothing', async () => {
    const { store, limiter } = setup({ RATE_LIMIT_ENABLED: false });
    expect(limiter.enabled).toBe(false);
    for (const routeClass of ['auth', 'read', 'write', 'stream'] as const) expect(await limiter.check(routeClass, { scope: 'ip', ip: '10.0.0.1' })).toBeNull();
    expect(store.calls).toEqual([]);
  });
});

describe(showQuota.name, () => {
  const response = () => {
    const headers: Record<string, string> = {};
    return { headers, res: { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response };
  };

  it('shows the most restrictive of the limits a request was counted against', () => {
    const { headers, res } = response();
    showQuota(res, { limit: 6000, remaining: 5990, resetSeconds: 1 });
    expect(headers).toEqual({ 'X-RateLimit-Limit': '6000', 'X-RateLimit-Remaining': '5990', 'X-RateLimit-Reset': '1' });
    showQuota(res, { limit: 600, remaining: 12, resetSeconds: 59 });
    expect(headers).toEqual({ 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '12', 'X-RateLimit-Reset': '59' });
    showQuota(res, { limit: 6000, remaining: 5989, resetSeconds: 1 });
    expect(headers['X-RateLimit-Limit']).toBe('600');
  });
});
