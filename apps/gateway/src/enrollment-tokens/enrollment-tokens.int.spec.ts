import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage } from '../audit/audit.schemas.js';
import { FAKE_TOKEN_SECRET, seenAgentAccess } from '../test/fake-agent-access.js';
import { callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import type { CreatedEnrollmentToken, EnrollmentTokenPage } from './enrollment-tokens.schemas.js';

// /enrollment-tokens and POST /agents/{id}/revoke, DELETE /agents/{id} on the built gateway
// process, agent-hub's AgentAccessService played by the fake peer (test/fake-agent-access.ts).
// callGateway holds every answer against the gateway's OpenAPI document.

const ADMIN = { email: 'enrol-admin@example.com', password: 'enrol-admin-password-1234' };

describe('enrollment tokens and agent revocation (gateway process, fake agent-hub)', () => {
  let stack: GatewayStack;
  let admin: string;
  const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, method, path, opts);
  const audit = async (action: string) => (await call<AuditPage>('GET', `/api/v1/audit?action=${action}`, { token: admin })).body.entries;

  beforeAll(async () => {
    stack = await startGatewayStack({ admin: ADMIN });
    const login = await call<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: ADMIN });
    admin = login.body.accessToken;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a token shown once, with the caller as its creator, and audits it without the secret', async () => {
    const res = await call<CreatedEnrollmentToken>('POST', '/api/v1/enrollment-tokens', {
      token: admin,
      body: { site: 'par', labels: { role: 'web' }, maxUses: 5, allowReenroll: true },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.token).toBe(`${res.body.enrollmentToken.prefix}_${FAKE_TOKEN_SECRET}`);
    expect(res.body.enrollmentToken).toMatchObject({ site: 'par', labels: { role: 'web' }, maxUses: 5, allowReenroll: true, uses: 0, revokedAt: null });
    const rows = await audit('enrollment_token.create');
    const row = rows.find((e) => e.target === res.body.enrollmentToken.id);
    // createdBy is the caller, as the audit log knows it.
    expect(res.body.enrollmentToken.createdBy).toBe(row?.actor);
    expect(row).toMatchObject({
      outcome: 'success',
      actorType: 'user',
      details: { site: 'par', maxUses: 5, allowReenroll: true, prefix: res.body.enrollmentToken.prefix },
    });
    expect(JSON.stringify(rows)).not.toContain(FAKE_TOKEN_SECRET);
  });

  it('lists tokens without their secrets', async () => {
    const res = await call<EnrollmentTokenPage>('GET', '/api/v1/enrollment-tokens', { token: admin });
    expect(res.status, res.text).toBe(200);
    expect(res.body.enrollmentTokens.length).toBeGreaterThan(0);
    expect(res.body.nextPageToken).toBeNull();
    expect(res.text).not.toContain(FAKE_TOKEN_SECRET);
  });

  it('refuses an expiry in the past with 400 naming expiresAt, audited as failed', async () => {
    const res = await call<{ field: string }>('POST', '/api/v1/enrollment-tokens', { token: admin, body: { expiresAt: '2020-01-01T00:00:00Z' } });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('expiresAt');
    expect((await audit('enrollment_token.create')).some((e) => e.outcome === 'failed')).toBe(true);
    expect((await call('POST', '/api/v1/enrollment-tokens', { token: admin, body: { maxUses: 0 } })).status).toBe(400);
    expect((await call('POST', '/api/v1/enrollment-tokens', { token: admin, body: { secret: 'x' } })).status).toBe(400);
  });

  it('revokes a token (204, audited) and answers 404 for an unknown one', async () => {
    const created = await call<CreatedEnrollmentToken>('POST', '/api/v1/enrollment-tokens', { token: admin, body: {} });
    const id = created.body.enrollmentToken.id;
    expect((await call('DELETE', `/api/v1/enrollment-tokens/${id}`, { token: admin })).status).toBe(204);
    const listed = await call<EnrollmentTokenPage>('GET', '/api/v1/enrollment-tokens', { token: admin });
    expect(listed.body.enrollmentTokens.find((t) => t.id === id)?.revokedAt).not.toBeNull();
    expect((await audit('enrollment_token.revoke')).find((e) => e.target === id)).toMatchObject({ outcome: 'success' });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await call('DELETE', `/api/v1/enrollment-tokens/${unknown}`, { token: admin })).status).toBe(404);
    expect((await audit('enrollment_token.revoke')).find((e) => e.target === unknown)).toMatchObject({ outcome: 'failed', details: { error: 'NOT_FOUND' } });
    expect((await call('DELETE', '/api/v1/enrollment-tokens/not-a-uuid', { token: admin })).status).toBe(400);
  });

  it('revokes and deletes agents through agent-hub (204, audited) and answers 404 for unknown ones', async () => {
    expect((await call('POST', '/api/v1/agents/agent-1/revoke', { token: admin })).status).toBe(204);
    expect((await call('DELETE', '/api/v1/agents/agent-1', { token: admin })).status).toBe(204);
    expect(seenAgentAccess).toEqual(expect.arrayContaining(['revoke agent-1', 'delete agent-1']));
    expect((await audit('agent.revoke')).find((e) => e.target === 'agent-1')).toMatchObject({ outcome: 'success' });
    expect((await audit('agent.delete')).find((e) => e.target === 'agent-1')).toMatchObject({ outcome: 'success' });
    expect((await call('POST', '/api/v1/agents/ghost/revoke', { token: admin })).status).toBe(404);
    expect((await call('DELETE', '/api/v1/agents/ghost', { token: admin })).status).toBe(404);
    expect((await audit('agent.delete')).find((e) => e.target === 'ghost')).toMatchObject({ outcome: 'failed', details: { error: 'NOT_FOUND' } });
    expect((await call('DELETE', '/api/v1/agents/agent-unavailable', { token: admin })).status).toBe(503);
  });

  it('is for admins only, and an API key needs agents:write to mutate', async () => {
    const viewer = await call<{ key: string }>('POST', '/api/v1/api-keys', { token: admin, body: { name: 'viewer', role: 'viewer' } });
    expect((await call('GET', '/api/v1/enrollment-tokens', { apiKey: viewer.body.key })).status).toBe(403);
    expect((await call('POST', '/api/v1/agents/agent-1/revoke', { apiKey: viewer.body.key })).status).toBe(403);
    const reader = await call<{ key: string }>('POST', '/api/v1/api-keys', { token: admin, body: { name: 'reader', role: 'admin', scopes: ['agents:read'] } });
    expect((await call('GET', '/api/v1/enrollment-tokens', { apiKey: reader.body.key })).status).toBe(200);
    expect((await call('POST', '/api/v1/enrollment-tokens', { apiKey: reader.body.key, body: {} })).status).toBe(403);
    expect((await call('DELETE', '/api/v1/agents/agent-1', { apiKey: reader.body.key })).status).toBe(403);
    expect((await call('GET', '/api/v1/enrollment-tokens')).status).toBe(401);
  });
});
