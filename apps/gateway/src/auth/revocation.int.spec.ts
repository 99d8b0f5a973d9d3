import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyView } from '../api-keys/api-keys.service.js';
import type { AuditView } from '../audit/audit.service.js';
import type { ApiErrorBody } from '../http/api-exception.filter.js';
import { callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import { openStreamClient } from '../test/stream-client.js';
import type { UserView } from '../users/users.service.js';
import type { TokenPair } from './token-issuer.js';

// The user lifecycle, revocable sessions, API-key scopes and expiry, and streams that follow
// revocation, against the built gateway as its own process (real PostgreSQL, Redis, NATS).
// Every "stops working" is polled until a deadline, never slept for.

const ADMIN = { email: 'root@example.com', password: 'root-password-1234' };
/** How long a revocation may take to show; a bound for failing, not a measured time. */
const DEADLINE_MS = 5_000;

let stack: GatewayStack;
let admin: string;

type CreatedApiKey = { apiKey: ApiKeyView; key: string };
const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, method, path, opts);
const login = (email: string, password: string) => call<TokenPair>('POST', '/api/v1/auth/login', { body: { email, password } });

async function signIn(email: string, password: string): Promise<TokenPair> {
  const res = await login(email, password);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

let userCount = 0;
/** A new user of `role`, signed in once. */
async function newUser(role: 'admin' | 'operator' | 'viewer'): Promise<{ user: UserView; password: string; pair: TokenPair }> {
  const email = `user-${++userCount}-${role}@example.com`;
  const password = `password-of-${email}`;
  const created = await call<UserView>('POST', '/api/v1/users', { token: admin, body: { email, password, role } });
  expect(created.status, created.text).toBe(201);
  return { user: created.body, password, pair: await signIn(email, password) };
}

/** Polls `probe` until it answers `expected`, failing after DEADLINE_MS. */
async function eventually<T>(probe: () => Promise<T>, expected: T): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  let last: T;
  do {
    last = await probe();
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < until);
  expect(last).toBe(expected);
}

const statusOf = (method: string, path: string, opts: CallOptions) => async () => (await call(method, path, opts)).status;

/** A live-update socket whose `closed()` rejects after DEADLINE_MS. */
interface DeadlineStream {
  next(): Promise<unknown>;
  /** How the gateway closed the socket; rejects after DEADLINE_MS. */
  closed(): Promise<{ code: number; reason: string }>;
}

/** A live-update socket that sent its auth frame and got `ready`. */
async function openStream(auth: { token: string } | { apiKey: string }): Promise<DeadlineStream> {
  const stream = await openStreamClient(stack);
  const client: DeadlineStream = {
    next: () => stream.next(),
    closed: () =>
      Promise.race([
        stream.closed,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`stream still open after ${DEADLINE_MS} ms`)), DEADLINE_MS).unref()),
      ]),
  };
  stream.send({ type: 'auth', ...auth });
  const first = await client.next();
  if ((first as { type?: string }).type !== 'ready') return { ...client, next: () => Promise.resolve(first) };
  return client;
}

async function auditEntries(): Promise<AuditView[]> {
  const res = await call<{ entries: AuditView[] }>('GET', '/api/v1/audit?pageSize=500', { token: admin });
  expect(res.status).toBe(200);
  return res.body.entries;
}

async function makeKey(token: string, body: Record<string, unknown>): Promise<CreatedApiKey> {
  const res = await call<CreatedApiKey>('POST', '/api/v1/api-keys', { token, body: { name: 'k', role: 'operator', ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

beforeAll(async () => {
  stack = await startGatewayStack({ admin: ADMIN, env: { LOGIN_RATE_LIMIT: '1000' } });
  admin = (await signIn(ADMIN.email, ADMIN.password)).accessToken;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('user lifecycle and revocation', () => {
  it("a disabled user's access token, refresh token, API key and open streams all stop working within seconds", async () => {
    const { user, pair } = await newUser('admin');
    const { key } = await makeKey(pair.accessToken, { role: 'viewer' });
    expect((await call('GET', '/api/v1/agents', { token: pair.accessToken })).status).toBe(200);
    expect((await call('GET', '/api/v1/agents', { apiKey: key })).status).toBe(200);
    const byToken = await openStream({ token: pair.accessToken });
    const byKey = await openStream({ apiKey: key });

    const res = await call<UserView>('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { disabled: true } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.disabledAt).not.toBeNull();

    await eventually(statusOf('GET', '/api/v1/agents', { token: pair.accessToken }), 401);
    await eventually(statusOf('GET', '/api/v1/agents', { apiKey: key }), 401);
    expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.refreshToken } })).status).toBe(401);
    expect(await byToken.closed()).toEqual({ code: 4401, reason: 'credentials revoked' });
    expect(await byKey.closed()).toEqual({ code: 4401, reason: 'credentials revoked' });
    // Disabling revoked the key for good: re-enabling the user does not bring it back.
    expect((await call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { disabled: false } })).status).toBe(200);
    expect((await call('GET', '/api/v1/agents', { apiKey: key })).status).toBe(401);
    const keys = await call<{ apiKeys: ApiKeyView[] }>('GET', '/api/v1/api-keys', { token: admin });
    expect(keys.body.apiKeys.find((k) => k.userId === user.id)?.revokedAt).not.toBeNull();
    expect((await auditEntries()).find((e) => e.action === 'user.update' && e.target === user.id && e.outcome === 'success')).toBeDefined();
  });

  it("a demotion ends the user's sessions and streams, and caps its API keys to the new role", async () => {
    const { user, pair } = await newUser('admin');
    const { key } = await makeKey(pair.accessToken, { role: 'admin' });
    expect((await call('GET', '/api/v1/users', { apiKey: key })).status).toBe(200);
    const stream = await openStream({ token: pair.accessToken });

    expect((await call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { role: 'viewer' } })).status).toBe(200);
    await eventually(statusOf('GET', '/api/v1/agents', { token: pair.accessToken }), 401);
    expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.refreshToken } })).status).toBe(401);
    expect(await stream.closed()).toEqual({ code: 4401, reason: 'credentials revoked' });
    // The key still works, as a viewer.
    await eventually(statusOf('GET', '/api/v1/users', { apiKey: key }), 403);
    expect((await call('GET', '/api/v1/agents', { apiKey: key })).status).toBe(200);
  });

  it("a password change ends the user's other sessions and keeps the one that asked", async () => {
    const { user, password, pair: asking } = await newUser('viewer');
    const other = await signIn(user.email, password);
    const otherStream = await openStream({ token: other.accessToken });

    const wrong = await call<ApiErrorBody>('POST', '/api/v1/users/me/password', {
      token: asking.accessToken,
      body: { currentPassword: 'not it', newPassword: 'a new password 1234' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.field).toBe('currentPassword');
    const short = await call<ApiErrorBody>('POST', '/api/v1/users/me/password', {
      token: asking.accessToken,
      body: { currentPassword: password, newPassword: 'short' },
    });
    expect(short.body.field).toBe('newPassword');
    const changed = await call('POST', '/api/v1/users/me/password', {
      token: asking.accessToken,
      body: { currentPassword: password, newPassword: 'a new password 1234' },
    });
    expect(changed.status, changed.text).toBe(204);

    await eventually(statusOf('GET', '/api/v1/agents', { token: other.accessToken }), 401);
    expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: other.refreshToken } })).status).toBe(401);
    expect(await otherStream.closed()).toEqual({ code: 4401, reason: 'credentials revoked' });
    expect((await call('GET', '/api/v1/agents', { token: asking.accessToken })).status).toBe(200);
    expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: asking.refreshToken } })).status).toBe(200);
    expect((await login(user.email, password)).status).toBe(401);
    expect((await login(user.email, 'a new password 1234')).status).toBe(200);
  });

  it('an API key cannot change a password (403)', async () => {
    const { key } = await makeKey(admin, { role: 'admin' });
    const res = await call<ApiErrorBody>('POST', '/api/v1/users/me/password', {
      apiKey: key,
      body: { currentPassword: ADMIN.password, newPassword: 'x'.repeat(12) },
    });
    expect(res.status).toBe(403);
    expect((await auditEntries()).find((e) => e.action === 'user.password_change' && e.outcome === 'denied')).toBeDefined();
  });

  it('logout makes that access token fail and closes its stream; other sessions of the user go on', async () => {
    const { user, password, pair } = await newUser('viewer');
    const second = await signIn(user.email, password);
    const stream = await openStream({ token: pair.accessToken });
    expect((await call('POST', '/api/v1/auth/logout', { body: { refreshToken: pair.refreshToken } })).status).toBe(204);
    await eventually(statusOf('GET', '/api/v1/agents', { token: pair.accessToken }), 401);
    expect(await stream.closed()).toEqual({ code: 4401, reason: 'credentials revoked' });
    expect((await call('GET', '/api/v1/agents', { token: second.accessToken })).status).toBe(200);
  });

  it("an admin ending a user's sessions stops its tokens and streams", async () => {
    const { user, pair } = await newUser('operator');
    const stream = await openStream({ token: pair.accessToken });
    expect((await call('DELETE', `/api/v1/users/${user.id}/sessions`, { token: admin })).status).toBe(204);
    await eventually(statusOf('GET', '/api/v1/agents', { token: pair.accessToken }), 401);
    expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.refreshToken } })).status).toBe(401);
    expect(await stream.closed()).toEqual({ code: 4401, reason: 'credentials revoked' });
    expect((await call('DELETE', '/api/v1/users/00000000-0000-4000-8000-000000000000/sessions', { token: admin })).status).toBe(404);
  });

  it('a deleted user is gone with its tokens and streams; lastLoginAt shows sign-ins', async () => {
    const { user, pair } = await newUser('viewer');
    const listed = await call<{ users: UserView[] }>('GET', '/api/v1/users', { token: admin });
    expect(listed.body.users.find((u) => u.id === user.id)?.lastLoginAt).not.toBeNull();
    expect(user.lastLoginAt).toBeNull();
    const stream = await openStream({ token: pair.accessToken });
    expect((await call('DELETE', `/api/v1/users/${user.id}`, { token: admin })).status).toBe(204);
    await eventually(statusOf('GET', '/api/v1/agents', { token: pair.accessToken }), 401);
    expect(await stream.closed()).toEqual({ code: 4401, reason: 'credentials revoked' });
    expect((await call('DELETE', `/api/v1/users/${user.id}`, { token: admin })).status).toBe(404);
    expect((await call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { role: 'viewer' } })).status).toBe(404);
  });

  it('PATCH needs role or disabled (400 naming the body)', async () => {
    const { user } = await newUser('viewer');
    const res = await call<ApiErrorBody>('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: {} });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('body');
  });

  it('a scoped API key is refused outside its scopes (403 naming the scope, audited for a mutation) and allowed inside', async () => {
    const { apiKey, key } = await makeKey(admin, { name: 'agents-only', role: 'operator', scopes: ['agents:read'] });
    expect(apiKey.scopes).toEqual(['agents:read']);
    expect((await call('GET', '/api/v1/agents', { apiKey: key })).status).toBe(200);
    const read = await call<ApiErrorBody>('GET', '/api/v1/commands', { apiKey: key });
    expect(read.status).toBe(403);
    expect(read.body.message).toContain('commands:read');
    const write = await call<ApiErrorBody>('POST', '/api/v1/commands', {
      apiKey: key,
      body: { verb: 'exec', params: { argv: ['uptime'] }, targets: ['agent-1'] },
    });
    expect(write.status).toBe(403);
    expect(write.body.message).toContain('commands:write');
    const denied = (await auditEntries()).find((e) => e.action === 'command.submit' && e.outcome === 'denied' && e.actor === apiKey.id);
    expect(denied?.details).toMatchObject({ reason: 'requires scope commands:write' });
    // The stream needs commands:read.
    const stream = await openStream({ apiKey: key });
    expect(await stream.next()).toMatchObject({ type: 'error', field: 'apiKey' });
    expect(await stream.closed()).toMatchObject({ code: 4401 });
    // A key with every scope (the default) reads commands.
    const { apiKey: all, key: allKey } = await makeKey(admin, { name: 'all', role: 'viewer' });
    expect(all.scopes).toContain('commands:read');
    expect((await call('GET', '/api/v1/agents', { apiKey: allKey })).status).toBe(200);
  });

  it('an expired API key is refused (401) and its stream closed; an expiry in the past is a 400', async () => {
    const past = await call<ApiErrorBody>('POST', '/api/v1/api-keys', {
      token: admin,
      body: { name: 'old', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
    expect(past.body.field).toBe('expiresAt');
    const expiresAt = new Date(Date.now() + 2_000).toISOString();
    const { apiKey, key } = await makeKey(admin, { name: 'short-lived', role: 'viewer', expiresAt });
    expect(apiKey.expiresAt).toBe(expiresAt);
    expect((await call('GET', '/api/v1/agents', { apiKey: key })).status).toBe(200);
    const stream = await openStream({ apiKey: key });
    await eventually(statusOf('GET', '/api/v1/agents', { apiKey: key }), 401);
    expect(await stream.closed()).toEqual({ code: 4401, reason: 'api key expired' });
  });

  it('a revoked API key closes its open stream', async () => {
    const { apiKey, key } = await makeKey(admin, { name: 'revoked', role: 'viewer' });
    const stream = await openStream({ apiKey: key });
    expect((await call('DELETE', `/api/v1/api-keys/${apiKey.id}`, { token: admin })).status).toBe(204);
    expect(await stream.closed()).toEqual({ code: 4401, reason: 'credentials revoked' });
  });

  it('the last enabled admin cannot be demoted, disabled or deleted, even by two admins demoting each other at once', async () => {
    // Every other admin out of the way first: disabled (root stays).
    const users = await call<{ users: UserView[] }>('GET', '/api/v1/users', { token: admin });
    const root = users.body.users.find((u) => u.email === ADMIN.email)!;
    for (const u of users.body.users.filter((x) => x.role === 'admin' && x.id !== root.id && !x.disabledAt)) {
      expect((await call('PATCH', `/api/v1/users/${u.id}`, { token: admin, body: { disabled: true } })).status).toBe(200);
    }
    for (const body of [{ role: 'operator' }, { disabled: true }]) {
      const res = await call<ApiErrorBody>('PATCH', `/api/v1/users/${root.id}`, { token: admin, body });
      expect(res.status).toBe(409);
    }
    expect((await call('DELETE', `/api/v1/users/${root.id}`, { token: admin })).status).toBe(409);
    expect((await auditEntries()).filter((e) => e.target === root.id && e.outcome === 'denied').length).toBeGreaterThanOrEqual(3);

    // Two enabled admins demote each other concurrently: exactly one of them wins.
    const { user: second, pair } = await newUser('admin');
    const answers = await Promise.all([
      call('PATCH', `/api/v1/users/${second.id}`, { token: admin, body: { role: 'viewer' } }),
      call('PATCH', `/api/v1/users/${root.id}`, { token: pair.accessToken, body: { role: 'viewer' } }),
    ]);
    // The loser is refused by the lock (409), or — when the winner committed before its
    // request was authenticated — by its ended session (401). Never both demoted.
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect([401, 409]).toContain(answers.find((a) => a.status !== 200)!.status);
    const stillAdmin = await Promise.all([signIn(ADMIN.email, ADMIN.password), signIn(second.email, `password-of-${second.email}`)]);
    const canList = await Promise.all(stillAdmin.map(async (p) => (await call('GET', '/api/v1/users', { token: p.accessToken })).status));
    expect(canList.sort()).toEqual([200, 403]);
  });
});
