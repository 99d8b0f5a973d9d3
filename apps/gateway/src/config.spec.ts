import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.js';

const base = {
  DATABASE_URL: 'postgresql://gw@127.0.0.1:5432/gateway',
  REDIS_URL: 'redis://127.0.0.1:6379',
  NATS_URL: 'nats://127.0.0.1:4222',
  JWT_SECRET: 'x'.repeat(32),
};

const errorOf = (env: Record<string, string>) => {
  try {
    loadGatewayConfig(env);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('gateway config', () => {
  it('has the documented defaults', () => {
    expect(loadGatewayConfig(base)).toMatchObject({
      HTTP_PORT: 4000,
      COMMAND_GRPC_URL: '127.0.0.1:5200',
      AGENT_HUB_GRPC_URL: '127.0.0.1:5100',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_SECONDS: 2_592_000,
      LOGIN_RATE_LIMIT: 10,
      LOGIN_RATE_WINDOW_SECONDS: 60,
      CORS_ORIGINS: [],
      STREAM_AUTH_TIMEOUT_MS: 5000,
    });
  });

  it('names a missing or short JWT_SECRET', () => {
    expect(errorOf({ ...base, JWT_SECRET: '' })).toContain('JWT_SECRET');
    expect(errorOf({ ...base, JWT_SECRET: 'short' })).toMatch(/JWT_SECRET: must be at least 32/);
    const { JWT_SECRET: _, ...withoutSecret } = base;
    expect(errorOf(withoutSecret)).toContain('JWT_SECRET');
  });

  it('names missing or bad DATABASE_URL, REDIS_URL and NATS_URL', () => {
    expect(errorOf({ ...base, DATABASE_URL: 'mysql://x' })).toContain('DATABASE_URL');
    expect(errorOf({ ...base, REDIS_URL: 'nope' })).toContain('REDIS_URL');
    expect(errorOf({ ...base, NATS_URL: 'http://127.0.0.1:4222' })).toContain('NATS_URL');
    const { NATS_URL: _, ...withoutNats } = base;
    expect(errorOf(withoutNats)).toContain('NATS_URL');
  });

  it('refuses a wildcard CORS origin and parses a list', () => {
    expect(errorOf({ ...base, CORS_ORIGINS: '*' })).toMatch(/CORS_ORIGINS.*wildcards/);
    expect(errorOf({ ...base, CORS_ORIGINS: 'https://*.example.com' })).toContain('CORS_ORIGINS');
    expect(loadGatewayConfig({ ...base, CORS_ORIGINS: 'https://a.example.com, http://localhost:3000' }).CORS_ORIGINS).toEqual([
      'https://a.example.com',
      'http://localhost:3000',
    ]);
  });

  it('wants ADMIN_EMAIL and ADMIN_PASSWORD together, and a long enough password', () => {
    expect(errorOf({ ...base, ADMIN_EMAIL: 'root@example.com' })).toContain('ADMIN_PASSWORD');
    expect(errorOf({ ...base, ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'short' })).toContain('ADMIN_PASSWORD');
    expect(loadGatewayConfig({ ...base, ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'long-enough-password' }).ADMIN_EMAIL).toBe('root@example.com');
  });

  it('never quotes a secret value in its error', () => {
    expect(errorOf({ ...base, JWT_SECRET: 'tiny-secret' })).not.toContain('tiny-secret');
  });
});
