import { readFileSync } from 'node:fs';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProcess, type ManagedProcess } from '@fleetplane/test-harness';
import { ENROLL_TOKEN, type FakeServer, type SeenSubmit } from './test/fake-peers.js';
import { appDir, callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from './test/gateway-stack.js';
import { openStreamClient, type StreamClient } from './test/stream-client.js';
import type { AgentView } from './agents/agent-view.js';
import type { ApiKeyView } from './api-keys/api-keys.service.js';
import type { AuditView } from './audit/audit.service.js';
import type { TokenPair } from './auth/token-issuer.js';
import type { CommandView, ExecutionView } from './commands/command-view.js';
import type { ApiErrorBody } from './http/api-exception.filter.js';
import type { HttpErrorBody } from './http/grpc-http.js';
import type { UserView } from './users/users.service.js';

// The built gateway as its own process against real PostgreSQL and Redis, with real gRPC
// servers (canned answers) standing in for command and agent-hub, which are not ours.

const ADMIN = { email: 'Root@Example.com', password: 'admin-password-1234' };
const VIEWER = { email: 'viewer@example.com', password: 'viewer-password-1234' };
const CONSOLE_ORIGIN = 'https://console.example.com';

let stack: GatewayStack;
let gateway: ManagedProcess;
let base: string;
/** The gateway's /metrics, on METRICS_PORT (off the public HTTP port). */
let metricsUrl: string;
let commandPeer: FakeServer;
let hubPeer: FakeServer;
let nats: NatsConnection;
const STREAM_AUTH_TIMEOUT_MS = 1_000;
const seen: SeenSubmit[] = [];
/** Any trace id: each request has its own. */
const TRACE_ID: unknown = expect.stringMatching(/^[0-9a-f]{32}$/);

type AuditPage = { entries: AuditView[]; nextPageToken: string | null };
type CreatedApiKey = { apiKey: ApiKeyView; key: string };

const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(base, method, path, opts);

const login = (email: string, password: string) => call<TokenPair>('POST', '/api/v1/auth/login', { body: { email, password } });

// One admin sign-in serves most tests: the login limit counts the admin's attempts too.
let cachedAdminToken: string | undefined;
async function adminToken(): Promise<string> {
  if (cachedAdminToken) return cachedAdminToken;
  const res = await login(ADMIN.email, ADMIN.password);
  expect(res.status).toBe(200);
  cachedAdminToken = res.body.accessToken;
  return cachedAdminToken;
}

async function auditEntries(token: string): Promise<AuditView[]> {
  const res = await call<AuditPage>('GET', '/api/v1/audit?pageSize=500', { token });
  expect(res.status).toBe(200);
  return res.body.entries;
}

/** An audit entry's `details.reason`, when it has one (details are free-form). */
const reasonOf = (e: AuditView): unknown => (typeof e.details === 'object' && e.details !== null && 'reason' in e.details ? e.details.reason : undefined);

beforeAll(async () => {
  stack = await startGatewayStack({
    admin: ADMIN,
    seen,
    env: { STREAM_AUTH_TIMEOUT_MS: String(STREAM_AUTH_TIMEOUT_MS), CORS_ORIGINS: CONSOLE_ORIGIN },
  });
  ({ gateway, base, metricsUrl, commandPeer, hubPeer } = stack);
  nats = await connect({ servers: stack.natsUrl });
  stack.onStop(() => nats.close());
});

const openStream = (): Promise<StreamClient> => openStreamClient(stack);

async function readyStream(token: string): Promise<StreamClient> {
  const client = await openStream();
  client.send({ type: 'auth', token });
  expect(await client.next()).toEqual({ type: 'ready' });
  return client;
}

const executionUpdated = (commandId: string, state: string) => ({
  commandId,
  executionId: `exec-${state.toLowerCase()}`,
  agentId: 'agent-1',
  state,
  at: new Date().toISOString(),
});
const publishEvent = (payload: unknown) => nats.publish('fleet.events.execution.updated', JSON.stringify(payload));

afterAll(async () => {
  await stack?.stop();
});

describe('gateway', () => {
  it('is ready with postgres, redis and nats checked', async () => {
    const res = await call<{ checks: unknown }>('GET', '/ready');
    expect(res.body.checks).toEqual({ postgres: 'ok', redis: 'ok', nats: 'ok' });
  });

  it('logs in the admin created from the environment, whatever the email case', async () => {
    const res = await login('root@EXAMPLE.com', ADMIN.password);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    expect(res.body.refreshToken.length).toBeGreaterThanOrEqual(43);
  });

  it('refuses requests without or with bad credentials', async () => {
    expect((await call('GET', '/api/v1/commands/cmd-done')).status).toBe(401);
    expect((await call('GET', '/api/v1/commands/cmd-done', { token: 'not.a.jwt' })).status).toBe(401);
    expect((await call('GET', '/api/v1/commands/cmd-done', { apiKey: 'fp_000000000000_bogus' })).status).toBe(401);
  });

  it('answers a bad password and an unknown user alike, and audits both', async () => {
    const bad = await login(ADMIN.email, 'wrong-password');
    const unknown = await login('nobody@example.com', 'whatever');
    expect(bad.status).toBe(401);
    expect(unknown.status).toBe(401);
    // The same answer but for the trace id, which is each request's own.
    const { traceId: badTrace, ...badBody } = bad.body as unknown as ApiErrorBody;
    const { traceId: unknownTrace, ...unknownBody } = unknown.body as unknown as ApiErrorBody;
    expect(badBody).toEqual(unknownBody);
    expect(badTrace).not.toBe(unknownTrace);
    const entries = await auditEntries(await adminToken());
    const failed = entries.filter((e) => e.action === 'auth.login' && e.outcome === 'failed');
    expect(failed.map((e) => e.target)).toEqual(expect.arrayContaining(['root@example.com', 'nobody@example.com']));
    expect(failed.find((e) => e.target === 'root@example.com')?.details).toEqual({ reason: 'bad_password' });
  });

  it('throttles the 11th login for one ip+email within a minute with 429 and Retry-After', async () => {
    for (let i = 0; i < 10; i++) expect((await login('flood@example.com', `guess-${i}`)).status).toBe(401);
    const eleventh = await login('flood@example.com', 'guess-10');
    expect(eleventh.status).toBe(429);
    const retryAfter = Number(eleventh.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another email from the same address is not affected.
    expect((await login(ADMIN.email, ADMIN.password)).status).toBe(200);
    const entries = await auditEntries(await adminToken());
    expect(entries.some((e) => e.action === 'auth.login' && e.outcome === 'denied' && e.target === 'flood@example.com')).toBe(true);
  });

  it('rejects malformed command bodies with 400 naming the field', async () => {
    const token = await adminToken();
    const cases: [unknown, string][] = [
      [{ verb: 'exec', params: { argv: ['echo'] } }, 'targets'],
      [{ verb: 'exec', params: { argv: ['echo'] }, targets: [] }, 'targets'],
      [{ verb: 'exec', params: { argv: [] }, targets: ['agent-1'] }, 'params.argv'],
      [{ verb: 'exec', params: { argv: ['echo'] }, targets: ['agent-1'], priority: 'urgent' }, 'priority'],
      [{ verb: 'rm -rf', params: {}, targets: ['agent-1'] }, 'verb'],
      [{ verb: 'exec', params: { argv: ['echo'] }, targets: ['bad agent!'] }, 'targets.0'],
      [{ verb: 'exec', params: { argv: ['echo'] }, targets: ['agent-1'], timeoutSeconds: 1.5 }, 'timeoutSeconds'],
    ];
    const before = seen.length;
    for (const [body, field] of cases) {
      const res = await call<HttpErrorBody>('POST', '/api/v1/commands', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', field });
      expect(res.body.message).toContain(field);
    }
    const notJson = await call('POST', '/api/v1/commands', { token, body: '{"verb":' });
    expect(notJson.body).toMatchObject({ statusCode: 400, field: 'body' });
    expect(seen.length).toBe(before);
  });

  it("passes the command service's INVALID_ARGUMENT field through", async () => {
    const res = await call('POST', '/api/v1/commands', {
      token: await adminToken(),
      body: { verb: 'exec', params: { argv: ['ls'], cwd: 'relative' }, targets: ['agent-1'] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      field: 'params.cwd',
      message: 'params.cwd: must be an absolute path',
      traceId: TRACE_ID,
    });
  });

  it('answers 404 naming an unknown agent', async () => {
    const res = await call<HttpErrorBody>('POST', '/api/v1/commands', {
      token: await adminToken(),
      body: { verb: 'exec', params: { argv: ['echo', 'hi'] }, targets: ['agent-1', 'ghost'] },
    });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('agent ghost not found');
  });

  it('submits a command (202) as the signed-in user, carrying the trace to the command service', async () => {
    const token = await adminToken();
    const users = await call<{ users: UserView[] }>('GET', '/api/v1/users', { token });
    const admin = users.body.users.find((u) => u.email === 'root@example.com')!;
    const res = await call<CommandView>('POST', '/api/v1/commands', {
      token,
      body: { verb: 'exec', params: { argv: ['echo', 'hello'] }, targets: ['agent-1'], priority: 'high', timeoutSeconds: 30, idempotencyKey: 'k-1' },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      verb: 'exec',
      params: { argv: ['echo', 'hello'] },
      priority: 'high',
      state: 'QUEUED',
      requestedBy: admin.id,
      timeoutSeconds: 30,
      summary: { targets: 1, byState: { QUEUED: 1 } },
    });
    const last = seen.at(-1)!;
    expect(last.request).toMatchObject({
      verb: 'exec',
      targetAgentIds: ['agent-1'],
      priority: 'PRIORITY_HIGH',
      timeoutSeconds: 30,
      requestedBy: admin.id,
      idempotencyKey: 'k-1',
    });
    expect(JSON.parse(last.request.paramsJson)).toEqual({ argv: ['echo', 'hello'] });
    const submitted = (await auditEntries(token)).find((e) => e.action === 'command.submit' && e.outcome === 'success' && e.target === res.body.id);
    expect(submitted?.actor).toBe(admin.id);
    expect(last.traceparent?.split('-')[1]).toBe(submitted!.traceId);
  });

  it('renders command states, priorities and exit codes (null until the process exited)', async () => {
    const token = await adminToken();
    const done = await call('GET', '/api/v1/commands/cmd-done', { token });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      id: 'cmd-done',
      priority: 'high',
      state: 'COMPLETED',
      summary: { targets: 1, byState: { COMPLETED: 1, QUEUED: 0 }, exitCodes: [{ exitCode: 0, count: 1 }] },
    });
    const executions = await call<{ executions: ExecutionView[] }>('GET', '/api/v1/commands/cmd-done/executions', { token });
    expect(executions.body.executions).toMatchObject([
      { id: 'ex-1', commandId: 'cmd-done', agentId: 'agent-1', state: 'COMPLETED', exitCode: 0, stdout: 'hello\n', stdoutBytes: 6, error: null, attempts: 1 },
    ]);
    const running = await call<CommandView>('GET', '/api/v1/commands/cmd-running', { token });
    expect(running.body.state).toBe('RUNNING');
    expect(running.body.summary?.byState.RUNNING).toBe(1);
    const missing = await call('GET', '/api/v1/commands/cmd-nope', { token });
    expect(missing.status).toBe(404);
    const crash = await call('GET', '/api/v1/commands/cmd-crash', { token });
    expect(crash.status).toBe(502);
    expect(JSON.stringify(crash.body)).not.toContain('password');
    const list = await call<{ commands: CommandView[] }>('GET', '/api/v1/commands?agentId=agent-1', { token });
    expect(list.body.commands[0]).toMatchObject({ id: 'cmd-done', state: 'COMPLETED', summary: { targets: 1, byState: { COMPLETED: 1 } } });
  });

  it('submits to a selector with rate control, and names the body field the command service refused', async () => {
    const token = await adminToken();
    const res = await call<CommandView>('POST', '/api/v1/commands', {
      token,
      body: {
        verb: 'exec',
        params: { argv: ['uptime'] },
        targets: { site: 'eu', labels: { role: 'web' } },
        maxConcurrency: '10%',
        maxErrors: 0,
        ttlSeconds: 600,
      },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ selector: { site: 'eu', labels: { role: 'web' } }, summary: { targets: 3 } });
    expect(seen.at(-1)!.request).toMatchObject({
      targetAgentIds: [],
      selector: { site: 'eu', labels: { role: 'web' }, agentIds: [] },
      maxConcurrency: { percent: 10 },
      maxErrors: { count: 0 },
      ttlSeconds: 600,
    });
    const none = await call('POST', '/api/v1/commands', { token, body: { verb: 'exec', params: { argv: ['uptime'] }, targets: { site: 'mars' } } });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ field: 'targets', message: 'targets: matches no agent' });
    for (const [body, field] of [
      [{ targets: {} }, 'targets'],
      [{ targets: ['agent-1'], maxConcurrency: '0%' }, 'maxConcurrency'],
      [{ targets: ['agent-1'], maxErrors: 'many' }, 'maxErrors'],
    ] as const) {
      const bad = await call('POST', '/api/v1/commands', { token, body: { verb: 'exec', params: { argv: ['uptime'] }, ...body } });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect((bad.body as { field: string }).field).toBe(field);
    }
  });

  it('serves output ranges, cancels, and retries, auditing each mutation', async () => {
    const token = await adminToken();
    const out = await call<{ data: string; nextOffset: number; complete: boolean }>('GET', '/api/v1/commands/cmd-done/executions/ex-1/output?offset=2', {
      token,
    });
    expect(out.status).toBe(200);
    expect(Buffer.from(out.body.data, 'base64').toString()).toBe('llo\n');
    expect(out.body).toMatchObject({ nextOffset: 6, complete: true });
    expect((await call('GET', '/api/v1/commands/cmd-done/executions/ex-1/output?stream=both', { token })).status).toBe(400);
    expect((await call('GET', '/api/v1/commands/cmd-done/executions/ex-9/output', { token })).status).toBe(404);

    const cancelled = await call<{ command: CommandView; cancelled: number }>('POST', '/api/v1/commands/cmd-done/cancel', { token });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ cancelled: 1, stopping: 0, command: { state: 'CANCELLED' } });
    expect((await call('POST', '/api/v1/commands/cmd-done/executions/ex-1/cancel', { token })).status).toBe(202);
    expect((await call('POST', '/api/v1/commands/cmd-nope/cancel', { token })).status).toBe(404);

    const retried = await call<CommandView>('POST', '/api/v1/commands/cmd-done/retry', { token, body: {} });
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ id: 'cmd-retry', retryOf: 'cmd-done' });
    const nothing = await call('POST', '/api/v1/commands/cmd-running/retry', { token, body: {} });
    expect(nothing.status).toBe(409);
    const actions = (await auditEntries(token)).filter((e) => ['command.cancel', 'execution.cancel', 'command.retry'].includes(e.action));
    expect(actions.map((e) => `${e.action}:${e.outcome}`)).toEqual(
      expect.arrayContaining(['command.cancel:success', 'command.cancel:failed', 'execution.cancel:success', 'command.retry:success', 'command.retry:failed']),
    );
  });

  it('rotates refresh tokens; reusing a rotated one is refused and revokes the family', async () => {
    const first = (await login(ADMIN.email, ADMIN.password)).body;
    const second = await call<TokenPair>('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await call('GET', '/api/v1/commands/cmd-done', { token: second.body.accessToken })).status).toBe(200);

    const reuse = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(reuse.status).toBe(401);
    // The family is gone: the legitimate successor no longer works either.
    expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: second.body.refreshToken } })).status).toBe(401);

    const entries = await auditEntries(await adminToken());
    expect(entries.some((e) => e.action === 'auth.refresh' && e.outcome === 'success')).toBe(true);
    expect(entries.some((e) => e.action === 'auth.refresh' && e.outcome === 'denied' && reasonOf(e) === 'reuse')).toBe(true);
  });

  it('logs out by revoking the refresh token', async () => {
    const pair = (await login(ADMIN.email, ADMIN.password)).body;
    expect((await call('POST', '/api/v1/auth/logout', { body: { refreshToken: pair.refreshToken } })).status).toBe(204);
    expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.refreshToken } })).status).toBe(401);
  });

  it('lets a viewer read but not submit (403, audited)', async () => {
    const admin = await adminToken();
    const created = await call<UserView>('POST', '/api/v1/users', { token: admin, body: { ...VIEWER, role: 'viewer' } });
    expect(created.status).toBe(201);
    const viewer = (await login(VIEWER.email, VIEWER.password)).body.accessToken;
    expect((await call('GET', '/api/v1/commands/cmd-done', { token: viewer })).status).toBe(200);
    const before = seen.length;
    const submit = await call('POST', '/api/v1/commands', { token: viewer, body: { verb: 'exec', params: { argv: ['id'] }, targets: ['agent-1'] } });
    expect(submit.status).toBe(403);
    expect(seen.length).toBe(before);
    expect((await call('GET', '/api/v1/audit', { token: viewer })).status).toBe(403);
    expect((await call('POST', '/api/v1/api-keys', { token: viewer, body: { name: 'x', role: 'admin' } })).status).toBe(403);
    const entries = await auditEntries(admin);
    expect(entries.some((e) => e.action === 'command.submit' && e.outcome === 'denied' && e.actor === created.body.id)).toBe(true);
    expect(entries.some((e) => e.action === 'api_key.create' && e.outcome === 'denied' && e.actor === created.body.id)).toBe(true);
  });

  it('authenticates with an API key until it is revoked', async () => {
    const admin = await adminToken();
    const made = await call<CreatedApiKey>('POST', '/api/v1/api-keys', { token: admin, body: { name: 'ci', role: 'operator' } });
    expect(made.status).toBe(201);
    const key = made.body.key;
    expect(key).toMatch(/^fp_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(made.body.apiKey).toMatchObject({ name: 'ci', role: 'operator', revokedAt: null });

    const submit = await call('POST', '/api/v1/commands', { apiKey: key, body: { verb: 'exec', params: { argv: ['uptime'] }, targets: ['agent-1'] } });
    expect(submit.status).toBe(202);
    expect(seen.at(-1)!.request.requestedBy).toBe(made.body.apiKey.id);
    // An operator key cannot manage keys.
    expect((await call('GET', '/api/v1/api-keys', { apiKey: key })).status).toBe(403);

    const listed = await call<{ apiKeys: ApiKeyView[] }>('GET', '/api/v1/api-keys', { token: admin });
    expect(listed.body.apiKeys.find((k) => k.id === made.body.apiKey.id)!.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed.body)).not.toContain(key.slice('fp_'.length + 12 + 1)); // the secret part: base64url, may itself contain '_'

    expect((await call('DELETE', `/api/v1/api-keys/${made.body.apiKey.id}`, { token: admin })).status).toBe(204);
    expect((await call('GET', '/api/v1/commands/cmd-done', { apiKey: key })).status).toBe(401);
    expect((await call('DELETE', '/api/v1/api-keys/00000000-0000-4000-8000-000000000000', { token: admin })).status).toBe(404);
  });

  it('enrolls an agent (admin) and returns its token once', async () => {
    const admin = await adminToken();
    const res = await call('POST', '/api/v1/agents', { token: admin, body: { id: 'agent-7', site: 'paris', labels: { rack: 'r7' } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ agent: { id: 'agent-7', site: 'paris', labels: { rack: 'r7' }, connected: true }, token: ENROLL_TOKEN });
    expect((await call<HttpErrorBody>('POST', '/api/v1/agents', { token: admin, body: { id: 'bad id' } })).body.field).toBe('id');
    const busy = await call<HttpErrorBody>('POST', '/api/v1/agents', { token: admin, body: { id: 'agent-busy' } });
    expect(busy.status).toBe(409);
    expect(busy.body.message).toBe('agent agent-busy is being enrolled by another request');
    expect((await call('GET', '/api/v1/agents/agent-1', { token: admin })).body).toMatchObject({ id: 'agent-1', containerEngine: null });
    expect((await call('GET', '/api/v1/agents/ghost', { token: admin })).status).toBe(404);
    expect((await call<{ agents: AgentView[] }>('GET', '/api/v1/agents?connected=true&site=lab', { token: admin })).body.agents).toHaveLength(1);
  });

  it('has audit rows for every mutation, newest first, without secrets', async () => {
    const admin = await adminToken();
    const entries = await auditEntries(admin);
    const seenPairs = new Set(entries.map((e) => `${e.action}:${e.outcome}`));
    for (const pair of [
      'user.bootstrap_admin:success',
      'auth.login:success',
      'auth.login:failed',
      'auth.login:denied',
      'auth.refresh:success',
      'auth.refresh:denied',
      'auth.logout:success',
      'command.submit:success',
      'command.submit:failed',
      'command.submit:denied',
      'user.create:success',
      'api_key.create:success',
      'api_key.create:denied',
      'api_key.revoke:success',
      'api_key.revoke:failed',
      'agent.enroll:success',
      'agent.enroll:failed',
    ]) {
      expect(seenPairs, pair).toContain(pair);
    }
    const times = entries.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const text = JSON.stringify(entries);
    for (const secret of [ADMIN.password, VIEWER.password, ENROLL_TOKEN]) expect(text).not.toContain(secret);

    const page1 = await call<AuditPage>('GET', '/api/v1/audit?pageSize=2', { token: admin });
    const page2 = await call<AuditPage>('GET', `/api/v1/audit?pageSize=2&pageToken=${page1.body.nextPageToken!}`, { token: admin });
    expect(page2.body.entries[0]!.id).toBe(entries[2]!.id);
    const bad = await call('GET', '/api/v1/audit?pageToken=not-a-token', { token: admin });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'pageToken', message: 'pageToken: is not a token from the audit log' });
  });

  it('answers CORS preflights only for listed origins', async () => {
    const preflight = (origin: string) => fetch(`${base}/api/v1/commands`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const listed = await preflight(CONSOLE_ORIGIN);
    expect(listed.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    const other = await preflight('https://evil.example.net');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rejects bodies over 64 KB', async () => {
    const res = await call('POST', '/api/v1/auth/login', { body: { email: 'a@b.co', password: 'x'.repeat(70_000) } });
    expect(res.status).toBe(413);
  });

  it('serves its OpenAPI document (the one the build wrote to dist/openapi.json) and a page of it, without credentials', async () => {
    const doc = await call<{ openapi: string; paths: Record<string, unknown> }>('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body).toEqual(JSON.parse(readFileSync(new URL('../dist/openapi.json', import.meta.url), 'utf8')));
    expect(doc.body.openapi).toBe('3.1.0');
    const page = await fetch(`${base}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/api/v1/commands/{id}');
  });

  describe('live-update stream /api/v1/stream', () => {
    const COMMAND_X = '0b7f6a53-3c1e-4f7e-9d1a-6d2b1d6f0a01';
    const COMMAND_Y = '0b7f6a53-3c1e-4f7e-9d1a-6d2b1d6f0a02';

    it('closes 4408 when no auth frame arrives in time', async () => {
      const client = await openStream();
      expect((await client.closed).code).toBe(4408);
    });

    it('closes 4401 for a bad token or API key', async () => {
      const byToken = await openStream();
      byToken.send({ type: 'auth', token: 'not.a.jwt' });
      expect(await byToken.next()).toEqual({ type: 'error', message: 'invalid credentials', field: 'token' });
      expect((await byToken.closed).code).toBe(4401);
      const byKey = await openStream();
      byKey.send({ type: 'auth', apiKey: 'fp_000000000000_bogus' });
      expect((await byKey.closed).code).toBe(4401);
    });

    it('accepts a viewer API key', async () => {
      const made = await call<CreatedApiKey>('POST', '/api/v1/api-keys', { token: await adminToken(), body: { name: 'stream-viewer', role: 'viewer' } });
      expect(made.status).toBe(201);
      const client = await openStream();
      client.send({ type: 'auth', apiKey: made.body.key });
      expect(await client.next()).toEqual({ type: 'ready' });
    });

    it('pushes an event to the socket subscribed to its command, not to one subscribed to another; a bad frame closes only its own socket (1002)', async () => {
      const token = await adminToken();
      const [onX, onY, broken] = await Promise.all([readyStream(token), readyStream(token), readyStream(token)]);
      onX.send({ type: 'subscribe', commandId: COMMAND_X });
      onY.send({ type: 'subscribe', commandId: COMMAND_Y });
      expect(await onX.next()).toEqual({ type: 'subscribed', commandId: COMMAND_X });
      expect(await onY.next()).toEqual({ type: 'subscribed', commandId: COMMAND_Y });

      const first = executionUpdated(COMMAND_X, 'RUNNING');
      const other = executionUpdated(COMMAND_Y, 'DISPATCHED');
      publishEvent(first);
      publishEvent(other);
      expect(await onX.next()).toEqual({ type: 'execution.updated', ...first });
      // The gateway relays in order from one subscription: Y's first frame being its own event means X's never came.
      expect(await onY.next()).toEqual({ type: 'execution.updated', ...other });

      broken.send('{"type":"subscribe","commandId":');
      expect(await broken.next()).toEqual({ type: 'error', message: 'frame is not valid JSON', field: 'frame' });
      expect((await broken.closed).code).toBe(1002);

      // An event the contract refuses is dropped, not relayed.
      publishEvent({ ...executionUpdated(COMMAND_X, 'EXPLODED') });
      const last = { ...executionUpdated(COMMAND_X, 'COMPLETED'), exitCode: 0 };
      publishEvent(last);
      expect(await onX.next()).toEqual({ type: 'execution.updated', ...last });
    });
  });

  it('never writes passwords, tokens or API keys to its log', async () => {
    const pair = (await login(ADMIN.email, ADMIN.password)).body;
    const made = await call<CreatedApiKey>('POST', '/api/v1/api-keys', { token: pair.accessToken, body: { name: 'log-check', role: 'viewer' } });
    await call('GET', '/api/v1/agents', { apiKey: made.body.key });
    const log = gateway.output();
    for (const secret of [ADMIN.password, VIEWER.password, pair.accessToken, pair.refreshToken, made.body.key, ENROLL_TOKEN]) {
      expect(log).not.toContain(secret);
    }
  });

  it('answers 503 (not 502) when command or agent-hub answers UNAVAILABLE', async () => {
    const token = await adminToken();
    const command = await call('GET', '/api/v1/commands/cmd-unavailable', { token });
    expect(command.status).toBe(503);
    expect(command.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'command service is unavailable',
      traceId: TRACE_ID,
    });
    // The trace id in the answer is the one the gateway logged the failure with.
    const { traceId } = command.body as { traceId: string };
    await gateway.waitForOutput(new RegExp(`"trace_id":"${traceId}"`), 5_000);
    const agent = await call('GET', '/api/v1/agents/agent-unavailable', { token });
    expect(agent.status).toBe(503);
    expect(agent.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'agent-hub service is unavailable',
      traceId: TRACE_ID,
    });
  });

  it('exposes its metrics as fleetplane_gateway_*, upstream calls by upstream, on its metrics port only', async () => {
    // The HTTP port is the public API: /metrics is not there.
    expect((await call('GET', '/metrics')).status).toBe(404);
    const text = await (await fetch(metricsUrl)).text();
    expect(text).toMatch(/^fleetplane_gateway_logins_total\{outcome="success"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^fleetplane_gateway_auth_failures_total\{reason="forbidden"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^fleetplane_gateway_refresh_token_reuse_total(\{[^}]*\})? [1-9]/m);
    expect(text).toMatch(/^fleetplane_gateway_upstream_request_duration_seconds_count\{[^}]*upstream="command"[^}]*code="UNAVAILABLE"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^fleetplane_gateway_stream_clients(\{[^}]*\})? \d/m);
    expect(text).not.toMatch(/^gateway_/m);
  });

  it('answers 503 for command routes while the command service is down, and stays ready', async () => {
    await commandPeer.stop();
    const res = await call<HttpErrorBody>('GET', '/api/v1/commands/cmd-done', { token: await adminToken() });
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('command service is unavailable');
    expect((await call('GET', '/ready')).status).toBe(200);
  });

  it('answers 503 for agent routes while agent-hub is down', async () => {
    await hubPeer.stop();
    const res = await call<HttpErrorBody>('GET', '/api/v1/agents/agent-1', { token: await adminToken() });
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('agent-hub service is unavailable');
  });

  it('refuses to start with a bad variable, naming it', async () => {
    const bad = spawnProcess('gateway-bad-config', process.execPath, ['dist/main.js'], {
      cwd: appDir,
      env: { DATABASE_URL: 'postgresql://x@127.0.0.1:1/x', REDIS_URL: 'redis://127.0.0.1:1', JWT_SECRET: 'too-short', CORS_ORIGINS: '*' },
    });
    // Rejects once the process has exited on its own, which is what we wait for.
    await expect(bad.waitForOutput(/^this never appears$/, 15_000)).rejects.toThrow(/while waiting/);
    expect(await bad.stop()).toBe(1);
    expect(bad.output()).toMatch(/JWT_SECRET: must be at least 32 characters/);
    expect(bad.output()).toMatch(/CORS_ORIGINS.*wildcards/);
    expect(bad.output()).not.toContain('too-short');
  });

  it('drains and exits 0 on SIGTERM', async () => {
    expect(await gateway.stop()).toBe(0);
  });
});
