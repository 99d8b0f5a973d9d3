import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status, type ClientReadableStream } from '@grpc/grpc-js';
import { agentHubV1, createGrpcClient, unary, type GrpcClient } from '@fleetplane/contracts/grpc';
import { runSql } from '@fleetplane/test-harness';
import { agentAt, insertFleetSql, SEEN_BASE, type FleetAgent } from './testing/fleet-rows.js';
import { startRegistryHub, type RegistryHub } from './testing/registry-hub.js';

// The registry at fleet size: the built hub process on real PostgreSQL with
// 100,000 agent rows inserted in one statement, listed with each filter and
// combinations, paged, counted, summarised and streamed through SelectAgents.
const FLEET = 100_000;
type ListRequest = Partial<agentHubV1.ListAgentsRequest>;

describe('AgentRegistryService and filtered ListAgents at 100,000 agents (process, real PostgreSQL)', () => {
  let hub: RegistryHub;
  let agents: GrpcClient;
  let registry: GrpcClient;
  let fleet: FleetAgent[];
  const list = (req: ListRequest) => unary<agentHubV1.ListAgentsResponse>(agents, 'listAgents', req);
  const count = async (req: ListRequest) => (await unary<agentHubV1.CountAgentsResponse>(registry, 'countAgents', req)).total;
  const idsWhere = (pred: (a: FleetAgent) => boolean) => fleet.filter(pred).map((a) => a.id);

  /** Every id of a listing, page by page, checking that each page continues where the last ended. */
  async function listAll(req: ListRequest, pageSize = 500): Promise<string[]> {
    const ids: string[] = [];
    let pageToken = '';
    do {
      const page = await list({ ...req, pageSize, pageToken });
      expect(page.agents.length).toBeLessThanOrEqual(pageSize);
      ids.push(...page.agents.map((a) => a.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return ids;
  }

  beforeAll(async () => {
    // A wide presence window (3 × 10 min), so "connected now" holds for the whole file.
    hub = await startRegistryHub({ HEARTBEAT_INTERVAL_MS: '600000', LOG_LEVEL: 'warn' });
    const now = new Date();
    await runSql(hub.databaseUrl, insertFleetSql(FLEET), [now]);
    await runSql(hub.databaseUrl, 'ANALYZE agents');
    fleet = Array.from({ length: FLEET }, (_, i) => agentAt(i + 1, now)).sort((a, b) => (a.id < b.id ? -1 : 1));
    agents = await createGrpcClient('agentHub', hub.grpcAddress);
    registry = await createGrpcClient('agentHub', hub.grpcAddress, agentHubV1.AGENT_REGISTRY_SERVICE_NAME);
  });

  afterAll(async () => {
    agents?.close();
    registry?.close();
    await hub?.stop();
  });

  const before = new Date(SEEN_BASE.getTime() - 500 * 60_000);
  const filters: Array<[string, ListRequest, (a: FleetAgent) => boolean]> = [
    ['site', { site: 'par' }, (a) => a.site === 'par'],
    ['one label', { labels: { rack: 'r7' } }, (a) => a.labels.rack === 'r7'],
    ['two labels', { labels: { rack: 'r8', tier: 'web' } }, (a) => a.labels.rack === 'r8' && a.labels.tier === 'web'],
    ['a label no agent has', { labels: { rack: 'r7', tier: 'web' } }, () => false],
    ['capability', { capabilities: ['docker'] }, (a) => a.capabilities.includes('docker')],
    ['os', { os: 'windows' }, (a) => a.os === 'windows'],
    ['version', { version: '1.3' }, (a) => a.version === '1.3'],
    ['connected', { connectedOnly: true }, (a) => a.connected],
    ['disconnected', { disconnectedOnly: true }, (a) => !a.connected],
    ['seen before', { lastSeenBefore: before.toISOString() }, (a) => a.lastSeenAt !== null && a.lastSeenAt < before],
    ['seen after', { lastSeenAfter: before.toISOString() }, (a) => a.lastSeenAt !== null && a.lastSeenAt >= before],
    [
      'site, label, capability and connected',
      { site: 'par', labels: { tier: 'web' }, capabilities: ['docker'], connectedOnly: true },
      (a) => a.site === 'par' && a.labels.tier === 'web' && a.capabilities.includes('docker') && a.connected,
    ],
    [
      'os, version and seen window',
      { os: 'linux', version: '1.2', lastSeenAfter: before.toISOString(), lastSeenBefore: SEEN_BASE.toISOString() },
      (a) => a.os === 'linux' && a.version === '1.2' && a.lastSeenAt !== null && a.lastSeenAt >= before && a.lastSeenAt < SEEN_BASE,
    ],
  ];

  it.each(filters)('lists and counts by %s', async (_name, req, pred) => {
    const expected = idsWhere(pred);
    const page = await list({ ...req, pageSize: 100 });
    expect(page.agents.map((a) => a.id)).toEqual(expected.slice(0, 100));
    expect(page.nextPageToken === '').toBe(expected.length <= 100);
    expect(await count(req)).toBe(expected.length);
  });

  it('returns whole agents with their labels and presence', async () => {
    const [first] = (await list({ site: 'lon', connectedOnly: true, pageSize: 1 })).agents;
    const want = fleet.find((a) => a.site === 'lon' && a.connected)!;
    expect(first).toMatchObject({
      id: want.id,
      site: 'lon',
      os: want.os,
      version: want.version,
      labels: want.labels,
      capabilities: want.capabilities,
      connected: true,
    });
  });

  it('pages through a filtered listing without gaps or repeats', async () => {
    const req = { site: 'par', labels: { tier: 'web' }, capabilities: ['docker'] };
    const ids = await listAll(req);
    expect(ids).toEqual(idsWhere((a) => a.site === 'par' && a.labels.tier === 'web' && a.capabilities.includes('docker')));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(5_000);
  });

  it('counts the whole fleet, and lists it from the first id', async () => {
    expect(await count({})).toBe(FLEET);
    expect((await list({ pageSize: 500 })).agents.map((a) => a.id)).toEqual(fleet.slice(0, 500).map((a) => a.id));
  });

  it('refuses a page token from another filter, and bad filters naming the field', async () => {
    const p1 = await list({ labels: { rack: 'r1' }, pageSize: 10 });
    await expect(list({ labels: { rack: 'r2' }, pageSize: 10, pageToken: p1.nextPageToken })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'page_token: was issued for different filters',
    });
    await expect(list({ connectedOnly: true, disconnectedOnly: true })).rejects.toMatchObject({
      details: 'disconnected_only: cannot be combined with connected_only',
    });
    const bad = await count({ lastSeenAfter: 'soon' }).then(
      () => ({ code: status.OK, details: '' }),
      (e: { code: number; details: string }) => e,
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/^last_seen_after: /);
  });

  it('summarises the fleet by site, os, version and connected', async () => {
    const res = await unary<agentHubV1.SummarizeAgentsResponse>(registry, 'summarizeAgents', {});
    const connected = fleet.filter((a) => a.connected).length;
    expect(res.agents).toEqual({ total: FLEET, connected });
    const groupsBy = (key: (a: FleetAgent) => string) => {
      const m = new Map<string, { key: string; total: number; connected: number }>();
      for (const a of fleet) {
        const g = m.get(key(a)) ?? { key: key(a), total: 0, connected: 0 };
        g.total++;
        if (a.connected) g.connected++;
        m.set(g.key, g);
      }
      return [...m.values()].sort((x, y) => y.total - x.total || (x.key < y.key ? -1 : 1));
    };
    expect(res.bySite).toEqual(groupsBy((a) => a.site));
    expect(res.byOs).toEqual(groupsBy((a) => a.os));
    expect(res.byVersion).toEqual(groupsBy((a) => a.version));
  });

  /** Reads a SelectAgents stream message by message, keeping only ids and counts. */
  async function select(req: unknown): Promise<{ ids: string[]; messages: number; largest: number; connected: number }> {
    const call = (registry as unknown as Record<string, (r: unknown) => ClientReadableStream<agentHubV1.SelectAgentsResponse>>).selectAgents!(req);
    const ids: string[] = [];
    let messages = 0;
    let largest = 0;
    let connected = 0;
    for await (const msg of call as AsyncIterable<agentHubV1.SelectAgentsResponse>) {
      messages++;
      largest = Math.max(largest, msg.agents.length);
      for (const a of msg.agents) {
        ids.push(a.id);
        if (a.connected) connected++;
      }
    }
    return { ids, messages, largest, connected };
  }

  it('streams all 100,000 agents in messages of at most 1,000, each once, in id order', async () => {
    const res = await select({ selector: { all: true } });
    expect(res.ids).toHaveLength(FLEET);
    expect(res.ids).toEqual(fleet.map((a) => a.id));
    expect(res.largest).toBe(1_000);
    expect(res.messages).toBe(FLEET / 1_000);
    expect(res.connected).toBe(fleet.filter((a) => a.connected).length);
  });

  it('streams what a dispatcher needs for the agents a selector names, ANDed', async () => {
    const call = (registry as unknown as Record<string, (r: unknown) => ClientReadableStream<agentHubV1.SelectAgentsResponse>>).selectAgents!({
      selector: { site: 'ams', labels: { tier: 'web' }, capabilities: ['docker'], os: 'linux', connectedOnly: true },
      pageSize: 100,
    });
    const got: agentHubV1.SelectedAgent[] = [];
    for await (const msg of call as AsyncIterable<agentHubV1.SelectAgentsResponse>) got.push(...msg.agents);
    const want = fleet.filter((a) => a.site === 'ams' && a.labels.tier === 'web' && a.capabilities.includes('docker') && a.os === 'linux' && a.connected);
    expect(want.length).toBeGreaterThan(100);
    expect(got).toEqual(want.map((a) => ({ id: a.id, site: a.site, capabilities: a.capabilities, connected: true })));

    const named = fleet.slice(10, 30).map((a) => a.id);
    const byIds = await select({ selector: { agentIds: [...named, 'agent-999999'], site: 'par' }, pageSize: 7 });
    expect(byIds.ids).toEqual(
      fleet
        .slice(10, 30)
        .filter((a) => a.site === 'par')
        .map((a) => a.id),
    );
    expect(byIds.largest).toBeLessThanOrEqual(7);
  });

  it('streams a selector of all 100,000 ids, ANDed with connected', async () => {
    const res = await select({ selector: { agentIds: fleet.map((a) => a.id).reverse(), connectedOnly: true } });
    expect(res.ids).toEqual(idsWhere((a) => a.connected));
    expect(res.largest).toBe(1_000);
  });

  it('refuses a selector that names no agents', async () => {
    await expect(select({ selector: {} })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'selector: names no agents: give at least one field, or all',
    });
  });
});
