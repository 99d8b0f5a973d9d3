import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_SUMMARY, COUNTED_AGENTS, seenCountRequests } from '../test/fake-agent-registry.js';
import { callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import type { AgentSummary } from './agent-filters.schemas.js';
import type { AgentPage } from './agents.schemas.js';

// GET /api/v1/agents with the registry filters and GET /api/v1/agents/summary on
// the built gateway process, agent-hub played by the fake peer (test/fake-peers.ts,
// test/fake-agent-registry.ts). The filters reach the peer as ListAgentsRequest
// fields; includeTotal asks CountAgents, whose requests the fake records.
// callGateway holds every answer against the gateway's OpenAPI document.

const ADMIN = { email: 'registry-admin@example.com', password: 'registry-admin-password-1234' };

describe('agent registry routes (gateway process, fake agent-hub)', () => {
  let stack: GatewayStack;
  let admin: string;
  const get = <T = unknown>(path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, 'GET', path, { token: admin, ...opts });

  beforeAll(async () => {
    stack = await startGatewayStack({ admin: ADMIN });
    const login = await callGateway<{ accessToken: string }>(stack.base, 'POST', '/api/v1/auth/login', { body: ADMIN });
    admin = login.body.accessToken;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('passes every filter on, labels and capabilities repeated, and counts only when asked', async () => {
    const plain = await get<AgentPage>('/api/v1/agents?site=lab');
    expect(plain.status, plain.text).toBe(200);
    expect(plain.body.total).toBeNull();
    expect(seenCountRequests).toHaveLength(0);

    const query =
      'site=lab&label=role%3Dweb&label=tier=1&capability=exec&capability=docker&os=linux&version=0.1.0' +
      '&connected=false&seenBefore=2026-01-02T00:00:00Z&seenAfter=2026-01-01T00:00:00%2B01:00&includeTotal=true';
    const res = await get<AgentPage>(`/api/v1/agents?${query}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.total).toBe(COUNTED_AGENTS);
    expect(seenCountRequests.at(-1)).toMatchObject({
      site: 'lab',
      labels: { role: 'web', tier: '1' },
      capabilities: ['exec', 'docker'],
      os: 'linux',
      version: '0.1.0',
      connectedOnly: false,
      disconnectedOnly: true,
      lastSeenBefore: '2026-01-02T00:00:00Z',
      lastSeenAfter: '2026-01-01T00:00:00+01:00',
    });
  });

  it('reads a single label and capability as a list of one, and connected=true as connected only', async () => {
    expect((await get('/api/v1/agents?label=rack=r1&capability=exec&connected=true&includeTotal=true')).status).toBe(200);
    expect(seenCountRequests.at(-1)).toMatchObject({ labels: { rack: 'r1' }, capabilities: ['exec'], connectedOnly: true, disconnectedOnly: false });
  });

  it.each([
    ['label=novalue', 'label', 'must be name=value, e.g. role=web'],
    ['label=a=1&label=a=2', 'label', 'names a twice with different values'],
    ['label==x', 'label', 'must be name=value, e.g. role=web'],
    ['capability=', 'capability', 'must be 1-64 characters'],
    ['seenBefore=yesterday', 'seenBefore', undefined],
    ['seenAfter=2026-01-01', 'seenAfter', undefined],
    ['connected=maybe', 'connected', 'must be true or false'],
    ['includeTotal=yes', 'includeTotal', 'must be true or false'],
    ['os=', 'os', undefined],
    [Array.from({ length: 17 }, (_, i) => `label=k${i}=v`).join('&'), 'label', undefined],
  ])('answers 400 naming the field for %s', async (query, field, message) => {
    const res = await get<{ field: string; message: string }>(`/api/v1/agents?${query}`);
    expect(res.status, res.text).toBe(400);
    expect(res.body.field).toBe(field);
    if (message) expect(res.body.message).toBe(`${field}: ${message}`);
  });

  it('summarises the fleet by site, os, version and connected', async () => {
    const res = await get<AgentSummary>('/api/v1/agents/summary');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      total: 3,
      connected: 2,
      disconnected: 1,
      bySite: [
        { site: 'lab', total: 2, connected: 2 },
        { site: '', total: 1, connected: 0 },
      ],
      byOs: [{ os: 'linux', total: 3, connected: 2 }],
      byVersion: [
        { version: '0.1.0', total: 2, connected: 1 },
        { version: '0.2.0', total: 1, connected: 1 },
      ],
      generatedAt: AGENT_SUMMARY.generatedAt,
    });
  });

  it('needs a signed-in caller for the summary, and for an API key the agents:read scope', async () => {
    const key = async (scopes: string[]) => {
      const res = await callGateway<{ key: string }>(stack.base, 'POST', '/api/v1/api-keys', {
        token: admin,
        body: { name: `summary ${scopes.join(' ')}`, role: 'viewer', scopes },
      });
      expect(res.status, res.text).toBe(201);
      return res.body.key;
    };
    expect((await get('/api/v1/agents/summary', { token: undefined })).status).toBe(401);
    expect((await get('/api/v1/agents/summary', { token: undefined, apiKey: await key(['commands:read']) })).status).toBe(403);
    expect((await get('/api/v1/agents/summary', { token: undefined, apiKey: await key(['agents:read']) })).status).toBe(200);
  });

  // Last: the agent-hub peer does not come back.
  it('answers 503 naming agent-hub for the summary and a counted listing while agent-hub is down', async () => {
    await stack.hubPeer.stop();
    for (const path of ['/api/v1/agents/summary', '/api/v1/agents?includeTotal=true']) {
      const res = await get<{ message: string }>(path);
      expect(res.status, path).toBe(503);
      expect(res.body.message).toBe('agent-hub service is unavailable');
    }
  });
});
