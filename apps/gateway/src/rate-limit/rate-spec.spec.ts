import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { parseRateSpec } from './rate-spec.js';
import { routeClassOf } from './route-class.js';
import { upgradeClientIp } from './upgrade-client-ip.js';

describe(parseRateSpec.name, () => {
  it('reads <count>/<window><unit>', () => {
    expect(parseRateSpec('600/60s')).toEqual({ limit: 600, windowMs: 60_000 });
    expect(parseRateSpec(' 10 / 1m ')).toEqual({ limit: 10, windowMs: 60_000 });
    expect(parseRateSpec('5/250ms')).toEqual({ limit: 5, windowMs: 250 });
    expect(parseRateSpec('1/2h')).toEqual({ limit: 1, windowMs: 7_200_000 });
  });

  it('refuses what it cannot read, a zero count and a zero window', () => {
    for (const bad of ['', '600', '600/60', '600/s', '0/60s', '10/0s', '-1/60s', '1.5/60s', '10/60d']) expect(parseRateSpec(bad)).toBeUndefined();
  });
});

describe('rate limit settings', () => {
  const env = { DATABASE_URL: 'postgresql://x/y', REDIS_URL: 'redis://x', NATS_URL: 'nats://x', JWT_SECRET: 'x'.repeat(32) };

  it('default to limits an operator does not reach, and can be turned off', () => {
    const c = loadGatewayConfig(env);
    expect(c.RATE_LIMIT_ENABLED).toBe(true);
    expect(c.RATE_LIMIT_READ).toEqual({ limit: 1200, windowMs: 60_000 });
    expect(loadGatewayConfig({ ...env, RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_WRITE: '5/1s' })).toMatchObject({
      RATE_LIMIT_ENABLED: false,
      RATE_LIMIT_WRITE: { limit: 5, windowMs: 1_000 },
    });
  });

  it('refuse a limit without a unit, naming the variable', () => {
    expect(() => loadGatewayConfig({ ...env, RATE_LIMIT_AUTH: '10/60' })).toThrow(/RATE_LIMIT_AUTH/);
  });
});

describe(routeClassOf.name, () => {
  it('tells sign-in, reads and writes apart', () => {
    expect(routeClassOf('POST', '/api/v1/auth/login')).toBe('auth');
    expect(routeClassOf('POST', '/API/v1/auth/Refresh/')).toBe('auth');
    expect(routeClassOf('POST', '/api/v1/auth/logout')).toBe('auth');
    expect(routeClassOf('GET', '/api/v1/agents')).toBe('read');
    expect(routeClassOf('HEAD', '/api/v1/agents')).toBe('read');
    for (const m of ['POST', 'PATCH', 'PUT', 'DELETE']) expect(routeClassOf(m, '/api/v1/users/1')).toBe('write');
  });
});

describe(upgradeClientIp.name, () => {
  const req = (xff?: string) => ({ socket: { remoteAddress: '10.0.0.9' }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

  it('is the peer without trusted proxies, else the address that many hops back', () => {
    expect(upgradeClientIp(req('6.6.6.6'), 0)).toBe('10.0.0.9');
    expect(upgradeClientIp(req('6.6.6.6, 1.2.3.4'), 1)).toBe('1.2.3.4');
    expect(upgradeClientIp(req('6.6.6.6, 1.2.3.4'), 2)).toBe('6.6.6.6');
    expect(upgradeClientIp(req('1.2.3.4'), 3)).toBe('1.2.3.4');
    expect(upgradeClientIp(req(), 1)).toBe('10.0.0.9');
  });
});
