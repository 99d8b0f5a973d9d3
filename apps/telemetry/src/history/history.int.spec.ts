import type * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { subjects, type TelemetrySample } from '@fleetplane/contracts';
import { createGrpcClient, serveGrpc, telemetryV1, unary, type agentHubV1, type GrpcClient } from '@fleetplane/contracts/grpc';
import { runSql, startInfra, type Infra } from '@fleetplane/test-harness';
import { eventually, startTelemetry, telemetryDatabase, type TelemetryProcess } from '../testing/telemetry-process.js';

const { Resolution } = telemetryV1;

// The registry the agent selection goes through: a real gRPC server with canned answers,
// standing in for agent-hub (its own tests cover SelectAgents against its database).
const SITES: Record<string, string> = { 'h-1': 'lab', 'h-2': 'lab', 'h-3': 'edge' };
const seenSelectors: agentHubV1.AgentSelector[] = [];
function registry(): grpc.UntypedServiceImplementation {
  const selectAgents = (call: grpc.ServerWritableStream<agentHubV1.SelectAgentsRequest, agentHubV1.SelectAgentsResponse>) => {
    const sel = call.request.selector!;
    seenSelectors.push(sel);
    const ids = Object.keys(SITES).filter((id) => sel.all || SITES[id] === sel.site);
    // One agent per message, so the telemetry side must gather every page.
    for (const id of ids) call.write({ agents: [{ id, site: SITES[id]!, capabilities: [], connected: true }] });
    call.end();
  };
  return { countAgents: () => undefined, summarizeAgents: () => undefined, selectAgents };
}

/** Samples every 10 s from 50 minutes ago for 10 minutes: 60 per agent, in 10 one-minute buckets. */
const BASE_MS = Math.floor((Date.now() - 50 * 60_000) / 60_000) * 60_000;
const POINTS = 60;
const cpuOf = (agent: number, i: number) => agent * 10 + (i % 6);
const sample = (agentId: string, i: number, cpu: number): TelemetrySample => ({
  agentId,
  takenAt: new Date(BASE_MS + i * 10_000).toISOString(),
  cpuPercent: cpu,
  memoryUsedBytes: 1e9,
  memoryTotalBytes: 4e9,
  load: [1, 1, 1],
  diskUsedBytes: 50,
  diskTotalBytes: 100,
  uptimeSeconds: 1,
});

describe('telemetry history: GetHistory, StreamHistory, GetFleetSummary', () => {
  let infra: Infra;
  let hub: Awaited<ReturnType<typeof serveGrpc>>;
  let service: TelemetryProcess;
  let nc: NatsConnection;
  let client: GrpcClient;
  let databaseUrl: string;

  beforeAll(async () => {
    [infra, hub] = await Promise.all([startInfra(), serveGrpc('agentHub', {}, { AgentRegistryService: registry() })]);
    databaseUrl = await telemetryDatabase(infra.postgres);
    service = await startTelemetry({ DATABASE_URL: databaseUrl, NATS_URL: infra.nats.url, REDIS_URL: infra.redis.url, AGENT_HUB_GRPC_URL: hub.address });
    nc = await connect({ servers: infra.nats.url });
    const js = jetstream(nc);
    for (const [a, id] of ['h-1', 'h-2', 'h-3'].entries()) {
      await Promise.all(Array.from({ length: POINTS }, (_, i) => js.publish(subjects.telemetry(id), JSON.stringify(sample(id, i, cpuOf(a + 1, i))))));
    }
    await eventually(
      async () => expect((await runSql(databaseUrl, 'SELECT count(*)::int AS n FROM telemetry_samples_raw')).rows[0]).toEqual({ n: 3 * POINTS }),
      30_000,
    );
    client = await createGrpcClient('telemetry', `127.0.0.1:${service.grpcPort}`, 'TelemetryHistoryService');
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await nc?.close();
    await service?.process.stop();
    await Promise.all([infra?.stop(), hub?.stop()]);
  });

  const history = (req: Partial<telemetryV1.GetHistoryRequest>) => unary<telemetryV1.GetHistoryResponse>(client, 'getHistory', req);
  const iso = (ms: number) => new Date(ms).toISOString();

  /** The call fails with `code` and details matching `details`. */
  async function refused(call: Promise<unknown>, details: RegExp, code = status.INVALID_ARGUMENT): Promise<void> {
    const err = await call.then(
      () => undefined,
      (e: unknown) => e as grpc.ServiceError,
    );
    expect(err?.code).toBe(code);
    expect(err?.details).toMatch(details);
  }

  function stream(req: Partial<telemetryV1.StreamHistoryRequest>): Promise<telemetryV1.StreamHistoryResponse[]> {
    const call = (client as unknown as { streamHistory(r: unknown): grpc.ClientReadableStream<telemetryV1.StreamHistoryResponse> }).streamHistory(req);
    const got: telemetryV1.StreamHistoryResponse[] = [];
    return new Promise((resolve, reject) => {
      call.on('data', (m: telemetryV1.StreamHistoryResponse) => got.push(m));
      call.on('error', reject);
      call.on('end', () => resolve(got));
    });
  }

  it('answers an hour with raw points (chosen from the range), every metric in catalogue order, oldest first', async () => {
    const res = await history({ agentId: 'h-1' });
    expect(res.resolution).toBe(Resolution.RESOLUTION_RAW);
    expect(res.metrics.slice(0, 2)).toEqual(['cpu_percent', 'memory_percent']);
    expect(res.points).toHaveLength(POINTS);
    expect(res.points[0]).toMatchObject({ at: iso(BASE_MS), samples: 1 });
    // (proto-loader adds `_avg: 'avg'` and friends for proto3 optional fields, hence toMatchObject.)
    expect(res.points[7]!.values[0]).toMatchObject({ avg: 11, min: 11, max: 11, last: 11 });
    expect(res.points[7]!.values[1]).toMatchObject({ avg: 25, min: 25, max: 25, last: 25 });
    expect(res.nextPageToken).toBe('');
  });

  it('pages raw points with a cursor, and refuses a token issued for another question', async () => {
    const req = { agentId: 'h-1', metrics: ['cpu_percent'], from: iso(BASE_MS), to: iso(BASE_MS + 3_600_000), pageSize: 25 };
    const seen: string[] = [];
    let token = '';
    do {
      const page = await history({ ...req, pageToken: token });
      expect(page.points.length).toBeLessThanOrEqual(25);
      seen.push(...page.points.map((p) => p.at));
      token = page.nextPageToken;
    } while (token);
    expect(seen).toEqual(Array.from({ length: POINTS }, (_, i) => iso(BASE_MS + i * 10_000)));
    const first = await history(req);
    await refused(history({ ...req, agentId: 'h-2', pageToken: first.nextPageToken }), /^page_token:/);
  });

  it('answers 1-minute rollups with avg, min, max and last per bucket', async () => {
    const res = await history({
      agentId: 'h-2',
      metrics: ['cpu_percent'],
      resolution: Resolution.RESOLUTION_1M,
      from: iso(BASE_MS),
      to: iso(BASE_MS + 20 * 60_000),
    });
    expect(res.resolution).toBe(Resolution.RESOLUTION_1M);
    expect(res.points).toHaveLength(10);
    // h-2's CPU in each minute: 20, 21, … 25 (six samples).
    expect(res.points[0]).toMatchObject({ at: iso(BASE_MS), samples: 6, values: [{ avg: 22.5, min: 20, max: 25, last: 25 }] });
  });

  it('chooses 1 m for a day and 1 h for thirty days', async () => {
    const now = Date.now();
    expect((await history({ agentId: 'h-1', from: iso(now - 86_400_000), metrics: ['cpu_percent'] })).resolution).toBe(Resolution.RESOLUTION_1M);
    const month = await history({ agentId: 'h-1', from: iso(now - 30 * 86_400_000), metrics: ['cpu_percent'] });
    expect(month.resolution).toBe(Resolution.RESOLUTION_1H);
    expect(month.points.reduce((n, p) => n + p.samples, 0)).toBe(POINTS);
  });

  it('answers INVALID_ARGUMENT naming the field: too many points, unknown metric, bad dates, bad id', async () => {
    const now = Date.now();
    await refused(
      history({ agentId: 'h-1', resolution: Resolution.RESOLUTION_1M, from: iso(now - 30 * 86_400_000) }),
      /^to: the range holds \d+ points at 1m, more than 2000/,
    );
    await refused(history({ agentId: 'h-1', metrics: ['cpu'] }), /^metrics: unknown metric "cpu"/);
    await refused(history({ agentId: 'h-1', from: 'yesterday' }), /^from: /);
    await expect(history({ agentId: 'h-1', from: iso(now), to: iso(now - 1000) })).rejects.toMatchObject({ details: 'from: must be before to' });
    await refused(history({ agentId: 'a.b' }), /^agent_id: /);
    await refused(history({ agentId: 'h-1', pageSize: 2001 }), /^page_size: /);
  });

  it('streams the points of a site (resolved through agent-hub) agent by agent, in chunks that never mix agents', async () => {
    const msgs = await stream({
      agents: { agentIds: [], site: 'lab', labels: {}, all: false },
      metrics: ['cpu_percent'],
      from: iso(BASE_MS),
      to: iso(BASE_MS + 3_600_000),
      chunkSize: 25,
    });
    expect(seenSelectors.at(-1)).toMatchObject({ site: 'lab', all: false });
    expect([...new Set(msgs.map((m) => m.agentId))]).toEqual(['h-1', 'h-2']);
    for (const m of msgs) {
      expect(m.points.length).toBeLessThanOrEqual(25);
      expect(m).toMatchObject({ resolution: Resolution.RESOLUTION_RAW, metrics: ['cpu_percent'] });
    }
    const h2 = msgs.filter((m) => m.agentId === 'h-2').flatMap((m) => m.points);
    expect(h2.map((p) => p.at)).toEqual(Array.from({ length: POINTS }, (_, i) => iso(BASE_MS + i * 10_000)));
    expect(h2[3]!.values[0]!.avg).toBe(cpuOf(2, 3));
  });

  it('streams 1 h rollups for a list of ids without asking agent-hub, and for `all` through it', async () => {
    const before = seenSelectors.length;
    const byIds = await stream({
      agents: { agentIds: ['h-3', 'h-1', 'nobody'], site: '', labels: {}, all: false },
      resolution: Resolution.RESOLUTION_1H,
      from: iso(BASE_MS - 86_400_000),
    });
    expect(seenSelectors.length).toBe(before);
    expect(byIds.map((m) => m.agentId)).toEqual(['h-1', 'h-3']);
    expect(byIds.flatMap((m) => m.points).reduce((n, p) => n + p.samples, 0)).toBe(2 * POINTS);
    const all = await stream({
      agents: { agentIds: [], site: '', labels: {}, all: true },
      metrics: ['load1'],
      resolution: Resolution.RESOLUTION_1M,
      from: iso(BASE_MS),
    });
    expect([...new Set(all.map((m) => m.agentId))]).toEqual(['h-1', 'h-2', 'h-3']);
  });

  it('refuses a stream without a selection, or with a bad chunk size, with INVALID_ARGUMENT', async () => {
    await refused(stream({ agents: { agentIds: [], site: '', labels: {}, all: false } }), /^agents: /);
    await refused(stream({ agents: { agentIds: ['h-1'], site: '', labels: {}, all: false }, chunkSize: 5001 }), /^chunk_size: /);
  });

  it('summarises the fleet over a window: agents reporting and p50/p95/max/avg of CPU, memory and disk, optionally for one site', async () => {
    const all = await unary<telemetryV1.GetFleetSummaryResponse>(client, 'getFleetSummary', { windowSeconds: 3_600 });
    expect(all.agentsReporting).toBe(3);
    expect(all.metrics.map((m) => m.metric)).toEqual(['cpu_percent', 'memory_percent', 'disk_percent']);
    // Per-agent CPU averages: 12.5, 22.5, 32.5.
    expect(all.metrics[0]).toMatchObject({ agents: 3, p50: 22.5, max: 32.5, avg: 22.5 });
    expect(all.metrics[0]!.p95).toBeCloseTo(31.5, 5);
    expect(all.metrics[2]).toMatchObject({ p50: 50, max: 50 });
    const lab = await unary<telemetryV1.GetFleetSummaryResponse>(client, 'getFleetSummary', { windowSeconds: 3_600, site: 'lab' });
    expect(lab.agentsReporting).toBe(2);
    expect(lab.metrics[0]).toMatchObject({ max: 22.5 });
  });

  it('answers UNAVAILABLE when a selection needs agent-hub and it is away', async () => {
    await hub.stop();
    await expect(stream({ agents: { agentIds: [], site: 'lab', labels: {}, all: false } })).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });

  // Last: it stops the database. History reads go through the pg pool, not Prisma.
  it('answers UNAVAILABLE for history while PostgreSQL is away, never UNKNOWN or INTERNAL', async () => {
    await infra.postgres.stop();
    const from = new Date(BASE_MS).toISOString();
    await expect(unary(client, 'getHistory', { agentId: 'h-1', from, resolution: 'RESOLUTION_RAW' })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    await expect(unary(client, 'getFleetSummary', { windowSeconds: 3_600 })).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});
