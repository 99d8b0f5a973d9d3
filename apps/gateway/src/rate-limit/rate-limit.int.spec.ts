import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '@fleetplane/test-harness';
import type { TokenPair } from '../auth/token-issuer.js';
import { callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import { WS_TRY_AGAIN_LATER } from './stream-connect-limit.js';

// The request limits of the built gateway, against its real Redis, with tiny limits set through
// the environment. The gateway trusts one proxy hop, so each test is its own client ip
// (X-Forwarded-For) and starts with untouched ip buckets.

const CONSOLE = 'https://console.example.com';
const ADMIN = { email: 'root@example.com', password: 'admin-password-1234' };
const LIMITS = {
  TRUST_PROXY_HOPS: '1',
  RATE_LIMIT_IP: '8/60s',
  RATE_LIMIT_AUTH: '30/60s',
  RATE_LIMIT_READ: '3/60s',
  RATE_LIMIT_WRITE: '20/60s',
  RATE_LIMIT_STREAM: '2/60s',
  LOGIN_IP_RATE_LIMIT: '4',
  CORS_ORIGINS: CONSOLE,
};
const TRACE_ID: unknown = expect.stringMatching(/^[0-9a-f]{32}$/);
const SECONDS: unknown = expect.stringMatching(/^\d+$/);
const SAYS_UNAVAILABLE: unknown = expect.stringMatching(/unavailable/);

let stack: GatewayStack;
let adminToken: string;
const keys: string[] = [];

const from = (ip: string, opts: CallOptions = {}): CallOptions => ({ ...opts, headers: { ...opts.headers, 'x-forwarded-for': ip } });
const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, method, path, opts);
const limits = (r: Reply) => ({
  limit: r.headers.get('x-ratelimit-limit'),
  remaining: r.headers.get('x-ratelimit-remaining'),
  reset: r.headers.get('x-ratelimit-reset'),
});
const login = (ip: string, email: string, password: string) => call<TokenPair>('POST', '/api/v1/auth/login', from(ip, { body: { email, password } }));

beforeAll(async () => {
  stack = await startGatewayStack({ admin: ADMIN, env: LIMITS });
  const signedIn = await login('10.1.0.1', ADMIN.email, ADMIN.password);
  expect(signedIn.status).toBe(200);
  adminToken = signedIn.body.accessToken;
  for (const [name, role] of [
    ['reader-a', 'viewer'],
    ['reader-b', 'viewer'],
    ['reader-c', 'viewer'],
    ['writer', 'admin'],
  ]) {
    const made = await call<{ key: string }>('POST', '/api/v1/api-keys', from('10.1.0.1', { token: adminToken, body: { name, role } }));
    expect(made.status).toBe(201);
    keys.push(made.body.key);
  }
});

afterAll(async () => {
  await stack?.stop();
});

describe('request limits', () => {
  it('sends the most restrictive limit on 200, 400, 401 and 404 answers, and none on probes and the API description', async () => {
    const ok = await call('GET', '/api/v1/agents', from('10.2.0.1', { token: adminToken }));
    expect(ok.status).toBe(200);
    // The admin's read limit (3) is tighter than the ip's (8).
    expect(limits(ok)).toEqual({ limit: '3', remaining: '2', reset: SECONDS });

    const anonymous = await call('GET', '/api/v1/agents', from('10.2.0.1'));
    expect(anonymous.status).toBe(401);
    expect(limits(anonymous)).toEqual({ limit: '8', remaining: '6', reset: SECONDS });

    const unknown = await call('GET', '/api/v1/no-such-route', from('10.2.0.1', { token: adminToken }));
    expect(unknown.status).toBe(404);
    expect(limits(unknown).limit).not.toBeNull();

    const badJson = await call('POST', '/api/v1/commands', from('10.2.0.1', { token: adminToken, body: '{"verb":' }));
    expect(badJson.status).toBe(400);
    expect(limits(badJson)).toMatchObject({ limit: '8', remaining: '4' });

    for (const path of ['/health', '/ready', '/api/openapi.json', '/api/docs']) {
      const r = await call('GET', path, from('10.2.0.1'));
      expect(r.status, path).toBe(200);
      expect(limits(r), path).toEqual({ limit: null, remaining: null, reset: null });
    }
  });

  it('answers 429 with Retry-After and the error body past a limit, per API key and per user', async () => {
    const [a, b] = keys as [string, string];
    const ip = '10.3.0.1';
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/v1/agents', from(ip, { apiKey: a }))).status).toBe(200);
    const refused = await call('GET', '/api/v1/agents', from(ip, { apiKey: a }));
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'too many requests; retry later', traceId: TRACE_ID });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limits(refused)).toMatchObject({ limit: '3', remaining: '0' });

    // Same ip, another key and a user: buckets of their own.
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/v1/agents', from(ip, { apiKey: b }))).status).toBe(200);
    expect((await call('GET', '/api/v1/agents', from(ip, { token: adminToken }))).status).toBe(200);
    // That was the ip's 8th request: before authentication, it is refused for everyone, bad credentials included.
    const flooded = await call('GET', '/api/v1/agents', from(ip, { apiKey: 'fp_000000000000_not-a-key' }));
    expect(flooded.status).toBe(429);
    expect(limits(flooded)).toMatchObject({ limit: '8', remaining: '0' });
    // A browser on an allowed origin may read the 429 and its headers.
    const fromConsole = await call('GET', '/api/v1/agents', from(ip, { apiKey: b, headers: { origin: CONSOLE } }));
    expect(fromConsole.status).toBe(429);
    expect(fromConsole.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(fromConsole.headers.get('access-control-expose-headers')).toBe('X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Retry-After');
    expect((await call('GET', '/api/v1/agents', from('10.3.0.2', { apiKey: 'fp_000000000000_not-a-key' }))).status).toBe(401);
  });

  it('refuses one ip trying many emails, and still lets another ip try', async () => {
    const ip = '10.4.0.1';
    for (let i = 0; i < 4; i++) expect((await login(ip, `nobody${i}@example.com`, 'wrong-password-1234')).status).toBe(401);
    const refused = await login(ip, 'someone-else@example.com', 'wrong-password-1234');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: 'too many login attempts; retry later' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password, from that ip; another ip signs in.
    expect((await login(ip, ADMIN.email, ADMIN.password)).status).toBe(429);
    expect((await login('10.4.0.2', ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it('closes stream connects past the limit with 1013', async () => {
    const connect = () =>
      new Promise<{ ws: WebSocket; closed: Promise<number> }>((resolve, reject) => {
        const ws = new WebSocket(`${stack.base.replace('http', 'ws')}/api/v1/stream`, { headers: { 'x-forwarded-for': '10.5.0.1' } });
        const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
        ws.once('open', () => resolve({ ws, closed }));
        ws.once('error', reject);
      });
    const first = await connect();
    const second = await connect();
    const third = await connect();
    expect(await third.closed).toBe(WS_TRY_AGAIN_LATER);
    expect(first.ws.readyState).toBe(WebSocket.OPEN);
    for (const c of [first, second]) c.ws.close();
  });

  it('with Redis stopped serves reads and writes, refuses sign-in with 503, and limits again once Redis is back', async () => {
    const [, , c, writer] = keys as [string, string, string, string];
    await stack.redis.stop();

    const read = await call('GET', '/api/v1/agents', from('10.6.0.1', { apiKey: c }));
    expect(read.status).toBe(200);
    expect(limits(read)).toMatchObject({ limit: '3', remaining: '3', reset: '0' });
    // A write the limiter lets through: the route itself answers (404, no such key).
    const write = await call('DELETE', '/api/v1/api-keys/00000000-0000-4000-8000-000000000000', from('10.6.0.1', { apiKey: writer }));
    expect(write.body).toMatchObject({ statusCode: 404 });
    const signIn = await login('10.6.0.1', ADMIN.email, ADMIN.password);
    expect(signIn.status).toBe(503);
    expect(signIn.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: SAYS_UNAVAILABLE, traceId: TRACE_ID });

    const metrics = await (await fetch(stack.metricsUrl)).text();
    expect(metrics).toMatch(/fleetplane_gateway_rate_limit_decisions_total\{class="read",scope="principal",outcome="unavailable"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/fleetplane_gateway_rate_limit_decisions_total\{class="auth",scope="ip",outcome="unavailable"[^}]*\} [1-9]/);
    expect(stack.gateway.output()).toMatch(/limiter unavailable, read requests served unlimited/);

    const again = await startRedis({ port: stack.redis.port });
    stack.onStop(() => again.stop());
    // ioredis reconnects by itself; no restart of the gateway.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await login('10.6.0.2', ADMIN.email, ADMIN.password)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/v1/agents', from('10.6.0.3', { apiKey: c }))).status).toBe(200);
    expect((await call('GET', '/api/v1/agents', from('10.6.0.3', { apiKey: c }))).status).toBe(429);
  });
});

describe('request limits turned off', () => {
  let off: GatewayStack;

  beforeAll(async () => {
    off = await startGatewayStack({ admin: ADMIN, env: { ...LIMITS, RATE_LIMIT_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await off?.stop();
  });

  it('counts nothing and sends no X-RateLimit-* headers', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await callGateway(off.base, 'GET', '/api/v1/agents', from('10.7.0.1'));
      expect(r.status).toBe(401);
      expect(limits(r)).toEqual({ limit: null, remaining: null, reset: null });
    }
  });
});
