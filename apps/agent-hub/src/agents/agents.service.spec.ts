import { describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { FakeClock } from '@fleetplane/service-kit';
import type { AgentRepository, AgentRow, ListQuery } from './agent.repository.js';
import { AgentsService } from './agents.service.js';
import { hashAgentToken } from './credentials.js';
import { PresenceWindow } from './presence-window.js';

const row = (id: string, over: Partial<AgentRow> = {}): AgentRow => ({
  id,
  site: '',
  os: '',
  kernel: '',
  version: '',
  capabilities: [],
  containerEngine: '',
  labels: {},
  tokenHash: 'x',
  enrolledAt: new Date('2026-01-01T00:00:00Z'),
  lastSeenAt: null,
  sessionId: null,
  connectedAt: null,
  revokedAt: null,
  hubInstanceId: null,
  protocolVersion: null,
  ...over,
});

class FakeRepo {
  rows = new Map<string, AgentRow>();
  lastQuery?: ListQuery;
  enroll(id: string, tokenHash: string, site: string, labels: Record<string, string>): Promise<AgentRow> {
    const r = { ...(this.rows.get(id) ?? row(id)), tokenHash, ...(site ? { site } : {}), ...(Object.keys(labels).length ? { labels } : {}) };
    this.rows.set(id, r);
    return Promise.resolve(r);
  }
  find(id: string): Promise<AgentRow | null> {
    return Promise.resolve(this.rows.get(id) ?? null);
  }
  list(q: ListQuery): Promise<AgentRow[]> {
    this.lastQuery = q;
    return Promise.resolve(
      [...this.rows.values()]
        .filter((r) => !q.after || r.id > q.after.id)
        .sort((a, b) => a.id.localeCompare(b.id))
        .slice(0, q.limit),
    );
  }
}

/** A ListAgentsRequest as proto-loader decodes one: every field present, empty unless given. */
const listRequest = (over: Partial<agentHubV1.ListAgentsRequest>): agentHubV1.ListAgentsRequest => ({
  site: '',
  connectedOnly: false,
  pageSize: 0,
  pageToken: '',
  labels: {},
  capabilities: [],
  os: '',
  version: '',
  disconnectedOnly: false,
  lastSeenBefore: '',
  lastSeenAfter: '',
  ...over,
});

function setup() {
  const repo = new FakeRepo();
  const clock = new FakeClock();
  const service = new AgentsService(repo as unknown as AgentRepository, new PresenceWindow({ HEARTBEAT_INTERVAL_MS: 1_000 }, clock));
  return { repo, service, clock };
}

async function rpcError(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  const err = await p.then(
    () => {
      throw new Error('expected an RpcException');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RpcException);
  return (err as RpcException).getError() as { code: number; message: string };
}

describe(AgentsService.name, () => {
  it('enrolls an agent, returning the token once and keeping only its hash', async () => {
    const { repo, service } = setup();
    const res = await service.enroll({ agentId: 'web-1', site: 'par', labels: { role: 'web' } });
    expect(res.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(repo.rows.get('web-1')?.tokenHash).toBe(hashAgentToken(res.token));
    expect(res.agent).toMatchObject({ id: 'web-1', site: 'par', labels: { role: 'web' }, connected: false });
  });

  it('rotates the credential when enrolling again', async () => {
    const { repo, service } = setup();
    const first = await service.enroll({ agentId: 'web-1', site: 'par', labels: {} });
    const second = await service.enroll({ agentId: 'web-1', site: '', labels: {} });
    expect(second.token).not.toBe(first.token);
    expect(repo.rows.get('web-1')).toMatchObject({ tokenHash: hashAgentToken(second.token), site: 'par' });
  });

  it('refuses an agent id that is not subject-safe, naming agent_id', async () => {
    const { service } = setup();
    const e = await rpcError(service.enroll({ agentId: 'a.b', site: '', labels: {} }));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.message).toMatch(/^agent_id: /);
  });

  it('answers NOT_FOUND naming the agent', async () => {
    const { service } = setup();
    const e = await rpcError(service.get({ agentId: 'ghost' }));
    expect(e).toEqual({ code: status.NOT_FOUND, message: 'agent ghost not found' });
  });

  it('reports connected only while a session was seen within three heartbeats', async () => {
    const { repo, service, clock } = setup();
    repo.rows.set('fresh', row('fresh', { sessionId: 's1', lastSeenAt: clock.now() }));
    repo.rows.set('stale', row('stale', { sessionId: 's2', lastSeenAt: new Date(clock.nowMs() - 10_000) }));
    expect((await service.get({ agentId: 'fresh' })).agent?.connected).toBe(true);
    expect((await service.get({ agentId: 'stale' })).agent?.connected).toBe(false);
  });

  it('pages through agents with an opaque token', async () => {
    const { repo, service } = setup();
    for (const id of ['a', 'b', 'c', 'd', 'e']) repo.rows.set(id, row(id));
    const p1 = await service.list(listRequest({ pageSize: 2 }));
    expect(p1.agents.map((a) => a.id)).toEqual(['a', 'b']);
    const p2 = await service.list(listRequest({ pageSize: 2, pageToken: p1.nextPageToken }));
    const p3 = await service.list(listRequest({ pageSize: 2, pageToken: p2.nextPageToken }));
    expect(p2.agents.map((a) => a.id)).toEqual(['c', 'd']);
    expect(p3).toMatchObject({ nextPageToken: '' });
    expect(p3.agents.map((a) => a.id)).toEqual(['e']);
  });

  it('defaults the page size to 50, caps it at 500 and passes the filters on', async () => {
    const { repo, service } = setup();
    await service.list(listRequest({}));
    expect(repo.lastQuery).toMatchObject({ filter: {}, limit: 51 });
    await service.list(listRequest({ site: 'par', connectedOnly: true, labels: { role: 'web' }, pageSize: 10_000 }));
    expect(repo.lastQuery).toMatchObject({ filter: { site: 'par', connected: true, labels: { role: 'web' } }, limit: 501 });
    expect(repo.lastQuery?.connectedSince).toBeInstanceOf(Date);
  });

  it('refuses a page token issued for other filters, naming page_token', async () => {
    const { repo, service } = setup();
    for (const id of ['a', 'b', 'c']) repo.rows.set(id, row(id, { site: 'par' }));
    const p1 = await service.list(listRequest({ site: 'par', pageSize: 2 }));
    const e = await rpcError(service.list(listRequest({ site: 'lon', pageSize: 2, pageToken: p1.nextPageToken })));
    expect(e).toEqual({ code: status.INVALID_ARGUMENT, message: 'page_token: was issued for different filters' });
  });

  it('refuses a page token it did not issue and a negative page size', async () => {
    const { service } = setup();
    expect((await rpcError(service.list(listRequest({ pageToken: '!!' })))).message).toMatch(/^page_token: /);
    expect((await rpcError(service.list(listRequest({ pageSize: -1 })))).message).toMatch(/^page_size: /);
  });
});
