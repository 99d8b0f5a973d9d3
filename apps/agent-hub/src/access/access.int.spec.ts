import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { AgentCloseCode } from '@fleetplane/contracts';
import { agentHubV1, createGrpcClient, unary, type GrpcClient } from '@fleetplane/contracts/grpc';
import { TestAgentSocket } from '../testing/agent-socket.js';
import { startHubUnderTest, type HubInstance, type HubUnderTest } from '../testing/hub-process.js';

// Enrollment tokens, POST /v1/enroll and the end of an agent's access, against
// the built hub as its own process with real PostgreSQL and NATS. Heartbeats are
// a minute apart, so a session closed within 2 s was closed by the event.

interface Enrolled {
  agentId: string;
  credential: string;
  site: string;
  labels: Record<string, string>;
}

/** Rejects when the socket is still open after `ms`: the promise of a close that must come soon. */
const closedWithin = (socket: TestAgentSocket, ms: number) =>
  Promise.race([socket.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms))]);

describe('enrollment and revocation (process, real PostgreSQL + NATS)', () => {
  let hub: HubUnderTest;
  let second: HubInstance;
  let access: GrpcClient;

  const enroll = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${hub.httpUrl}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Enrolled & { message: string; statusCode: number } };
  };
  const createToken = (req: Partial<agentHubV1.CreateEnrollmentTokenRequest> = {}) =>
    unary<agentHubV1.CreateEnrollmentTokenResponse>(access, 'createEnrollmentToken', { createdBy: 'admin-1', ...req });
  const listTokens = () => unary<agentHubV1.ListEnrollmentTokensResponse>(access, 'listEnrollmentTokens', { pageSize: 500 });
  const tokenRow = async (id: string) => (await listTokens()).enrollmentTokens.find((t) => t.id === id)!;

  beforeAll(async () => {
    hub = await startHubUnderTest({ env: { HEARTBEAT_INTERVAL_MS: '60000' } });
    second = await hub.addInstance();
    access = await createGrpcClient('agentHub', hub.grpcAddress, agentHubV1.AGENT_ACCESS_SERVICE_NAME);
  });

  afterAll(async () => {
    access?.close();
    await hub?.stop();
  });

  it('creates a token shown once, listed by its prefix with one use and a 24 h expiry by default', async () => {
    const created = await createToken({ site: 'par', labels: { role: 'web' } });
    expect(created.token).toMatch(/^fpe_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const t = created.enrollmentToken!;
    expect(created.token.startsWith(`${t.prefix}_`)).toBe(true);
    expect(t).toMatchObject({ site: 'par', labels: { role: 'web' }, uses: 0, maxUses: 1, allowReenroll: false, revokedAt: '', createdBy: 'admin-1' });
    const lifetimeH = (Date.parse(t.expiresAt) - Date.parse(t.createdAt)) / 3_600_000;
    expect(Math.round(lifetimeH)).toBe(24);
    const listed = await listTokens();
    expect(listed.enrollmentTokens.map((x) => x.id)).toContain(t.id);
    expect(JSON.stringify(listed)).not.toContain(created.token.slice(t.prefix.length + 1));
  });

  it('refuses an expiry in the past with INVALID_ARGUMENT naming expires_at', async () => {
    await expect(createToken({ expiresAt: '2020-01-01T00:00:00Z' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('expires_at') as unknown,
    });
  });

  it('enrols with a token: the agent gets its own credential, the token site and labels, and HELLO works with it', async () => {
    const { token, enrollmentToken } = await createToken({ site: 'lon', labels: { rack: 'r7' } });
    const res = await enroll({ enrollmentToken: token, agentId: 'enrolled-1' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ agentId: 'enrolled-1', site: 'lon', labels: { rack: 'r7' } });
    expect(Buffer.from(res.body.credential, 'base64url')).toHaveLength(32);
    const agent = (await hub.grpc.getAgent('enrolled-1')).agent!;
    expect(agent).toMatchObject({ site: 'lon', labels: { rack: 'r7' } });
    const socket = await TestAgentSocket.connect(hub.wsUrl, 'enrolled-1', res.body.credential, 'lon');
    socket.close();
    expect(await tokenRow(enrollmentToken!.id)).toMatchObject({ uses: 1, lastAgentId: 'enrolled-1' });
    // Used once: a second agent is refused.
    expect(await enroll({ enrollmentToken: token, agentId: 'enrolled-2' })).toMatchObject({ status: 401, body: { message: 'enrollment token used up' } });
  });

  it('gives an agent that brings no id one of its own', async () => {
    const res = await enroll({ enrollmentToken: (await createToken()).token });
    expect(res.status).toBe(201);
    expect(res.body.agentId).toMatch(/^agt-[0-9a-f]{20}$/);
    expect((await hub.grpc.getAgent(res.body.agentId)).agent?.id).toBe(res.body.agentId);
  });

  it('never exceeds maxUses when enrolments race', async () => {
    const { token, enrollmentToken } = await createToken({ maxUses: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => enroll({ enrollmentToken: token, agentId: `race-${i}` })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s !== 201)).toEqual(Array(9).fill(401));
    expect((await tokenRow(enrollmentToken!.id)).uses).toBe(3);
  });

  it('refuses to re-enrol an existing id (409) unless the token allows it, which rotates the credential', async () => {
    const first = await enroll({ enrollmentToken: (await createToken()).token, agentId: 'reenrol-1' });
    expect(first.status).toBe(201);
    const refused = await enroll({ enrollmentToken: (await createToken()).token, agentId: 'reenrol-1' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('already enrolled');
    // The running agent keeps its credential.
    const still = await TestAgentSocket.connect(hub.wsUrl, 'reenrol-1', first.body.credential);
    still.close();
    const again = await enroll({ enrollmentToken: (await createToken({ allowReenroll: true })).token, agentId: 'reenrol-1' });
    expect(again.status).toBe(201);
    expect(again.body.credential).not.toBe(first.body.credential);
    const old = await TestAgentSocket.open(hub.wsUrl);
    old.sendFrame({
      type: 'HELLO',
      agentId: 'reenrol-1',
      token: first.body.credential,
      inventory: { site: '', os: 'linux', kernel: '6', version: '1', capabilities: [], containerEngine: '', labels: {} },
    });
    expect((await old.closed).code).toBe(AgentCloseCode.Unauthorized);
  });

  it('does not spend a use on a refused re-enrolment', async () => {
    await enroll({ enrollmentToken: (await createToken()).token, agentId: 'reenrol-2' });
    const { token, enrollmentToken } = await createToken();
    expect((await enroll({ enrollmentToken: token, agentId: 'reenrol-2' })).status).toBe(409);
    expect((await tokenRow(enrollmentToken!.id)).uses).toBe(0);
    expect((await enroll({ enrollmentToken: token, agentId: 'reenrol-3' })).status).toBe(201);
  });

  it('refuses revoked, unknown and malformed tokens and bad bodies', async () => {
    const { token, enrollmentToken } = await createToken({ maxUses: 5 });
    const revoked = await unary<agentHubV1.RevokeEnrollmentTokenResponse>(access, 'revokeEnrollmentToken', { id: enrollmentToken!.id });
    expect(revoked.enrollmentToken?.revokedAt).not.toBe('');
    expect(await enroll({ enrollmentToken: token })).toMatchObject({ status: 401, body: { message: 'enrollment token revoked' } });
    const forged = `${token.slice(0, 17)}${'A'.repeat(43)}`;
    expect(await enroll({ enrollmentToken: forged })).toMatchObject({ status: 401, body: { message: 'invalid enrollment token' } });
    expect(await enroll({ enrollmentToken: 'not-a-token' })).toMatchObject({ status: 401, body: { message: 'invalid enrollment token' } });
    expect(await enroll({ agentId: 'x' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('enrollmentToken') as unknown } });
    expect(await enroll({ enrollmentToken: (await createToken()).token, agentId: 'a.b' })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('agentId') as unknown },
    });
    expect((await enroll({ enrollmentToken: 'x'.repeat(8000) })).status).toBe(413);
    await expect(unary(access, 'revokeEnrollmentToken', { id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('counts enrolments by outcome', async () => {
    const text = await (await fetch(hub.metricsUrl)).text();
    for (const outcome of ['enrolled', 'reenrolled', 'exhausted', 'exists', 'revoked', 'invalid', 'bad_request', 'too_large'])
      expect(text, outcome).toMatch(new RegExp(`fleetplane_agent_hub_enrollments_total\\{outcome="${outcome}"[,}].* [1-9]`));
  });

  it('revoking closes the session on the instance holding it with 4403 within 2 s, and refuses the credential afterwards', async () => {
    const res = await enroll({ enrollmentToken: (await createToken()).token, agentId: 'revoke-1' });
    // Connected to the second instance; revoked through the first's gRPC.
    const socket = await TestAgentSocket.connect(second.wsUrl, 'revoke-1', res.body.credential);
    const revoked = await unary<agentHubV1.RevokeAgentResponse>(access, 'revokeAgent', { agentId: 'revoke-1' });
    expect(revoked.agent?.id).toBe('revoke-1');
    expect(await closedWithin(socket, 2_000)).toEqual({ code: AgentCloseCode.Revoked, reason: 'revoked' });
    for (const url of [hub.wsUrl, second.wsUrl]) {
      const retry = await TestAgentSocket.open(url);
      retry.sendFrame({
        type: 'HELLO',
        agentId: 'revoke-1',
        token: res.body.credential,
        inventory: { site: '', os: 'linux', kernel: '6', version: '1', capabilities: [], containerEngine: '', labels: {} },
      });
      expect((await retry.closed).code).toBe(AgentCloseCode.Unauthorized);
    }
    // Even a token that allows re-enrolment cannot undo a revocation.
    expect((await enroll({ enrollmentToken: (await createToken({ allowReenroll: true })).token, agentId: 'revoke-1' })).status).toBe(409);
    await expect(unary(access, 'revokeAgent', { agentId: 'never-enrolled' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('an admin minting a credential (EnrollAgent) re-admits a revoked agent', async () => {
    const minted = await hub.grpc.enrollAgent({ agentId: 'revoke-1' });
    const socket = await TestAgentSocket.connect(hub.wsUrl, 'revoke-1', minted.token);
    socket.close();
  });

  it('deleting closes the session with 4403, removes the agent, and lets it enrol again', async () => {
    const res = await enroll({ enrollmentToken: (await createToken()).token, agentId: 'delete-1' });
    const socket = await TestAgentSocket.connect(hub.wsUrl, 'delete-1', res.body.credential);
    await unary(access, 'deleteAgent', { agentId: 'delete-1' });
    expect(await closedWithin(socket, 2_000)).toEqual({ code: AgentCloseCode.Revoked, reason: 'deleted' });
    await expect(hub.grpc.getAgent('delete-1')).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(unary(access, 'deleteAgent', { agentId: 'delete-1' })).rejects.toMatchObject({ code: status.NOT_FOUND });
    expect((await enroll({ enrollmentToken: (await createToken()).token, agentId: 'delete-1' })).status).toBe(201);
  });
});
