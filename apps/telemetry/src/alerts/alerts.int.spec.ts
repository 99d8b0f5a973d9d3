import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { status } from '@grpc/grpc-js';
import { alertEventSchema, subjects, type AlertEvent, type TelemetrySample } from '@fleetplane/contracts';
import { createGrpcClient, serveGrpc, unary, telemetryV1, type agentHubV1, type GrpcClient } from '@fleetplane/contracts/grpc';
import { runSql, startInfra, type Infra } from '@fleetplane/test-harness';
import { eventually, metricValue, startTelemetry, telemetryDatabase, type TelemetryProcess } from '../testing/telemetry-process.js';

// Two telemetry processes on one database and one NATS server: the shared durable consumer
// spreads samples over both, and the evaluator's shared state (advisory lock per agent, one
// open alert per rule/agent/mount) keeps every alert opened once. Time is sample time, so a
// rule's `for` passes with timestamps, not sleeps.

const NO_DATA_RULE = '00000000-0000-4000-8000-000000000005';

// The registry a site or labels scope is resolved through: a real gRPC server with canned
// answers, standing in for agent-hub (its own tests cover SelectAgents against its database).
const REGISTRY: { id: string; site: string; labels: Record<string, string> }[] = [
  { id: 'scoped-lab-1', site: 'lab', labels: { rack: 'r1' } },
  { id: 'scoped-lab-2', site: 'lab', labels: { rack: 'r2' } },
  { id: 'scoped-edge-1', site: 'edge', labels: { rack: 'r1' } },
];
function registry(): grpc.UntypedServiceImplementation {
  const selectAgents = (call: grpc.ServerWritableStream<agentHubV1.SelectAgentsRequest, agentHubV1.SelectAgentsResponse>) => {
    const sel = call.request.selector!;
    const agents = REGISTRY.filter(
      (a) => sel.all || ((sel.site === '' || a.site === sel.site) && Object.entries(sel.labels).every(([k, v]) => a.labels[k] === v)),
    );
    call.write({ agents: agents.map((a) => ({ id: a.id, site: a.site, capabilities: [], connected: true })) });
    call.end();
  };
  return { countAgents: () => undefined, summarizeAgents: () => undefined, selectAgents };
}

/** `eventually` for a check that reads only what the test holds (the events received). */
const soon = <T>(check: () => T, timeoutMs?: number) => eventually(() => Promise.resolve().then(check), timeoutMs);

const sample = (agentId: string, at: number, cpuPercent: number): TelemetrySample => ({
  agentId,
  takenAt: new Date(at).toISOString(),
  cpuPercent,
  memoryUsedBytes: 1,
  memoryTotalBytes: 4,
  load: [0, 0, 0],
  diskUsedBytes: 1,
  diskTotalBytes: 2,
  uptimeSeconds: 1,
});

describe('alerts across two telemetry instances', () => {
  let infra: Infra;
  let hub: Awaited<ReturnType<typeof serveGrpc>>;
  let databaseUrl: string;
  let a: TelemetryProcess;
  let b: TelemetryProcess;
  let nc: NatsConnection;
  let clientA: GrpcClient;
  let clientB: GrpcClient;
  const events: AlertEvent[] = [];

  beforeAll(async () => {
    [infra, hub] = await Promise.all([startInfra(), serveGrpc('agentHub', {}, { AgentRegistryService: registry() })]);
    databaseUrl = await telemetryDatabase(infra.postgres);
    const env = {
      AGENT_HUB_GRPC_URL: hub.address,
      DATABASE_URL: databaseUrl,
      NATS_URL: infra.nats.url,
      REDIS_URL: infra.redis.url,
      INGEST_BATCH_LINGER_MS: '5',
      INGEST_BATCH_SIZE: '4',
      // No data after 3 × 1 s of silence (agents here send single samples), swept every 300 ms.
      ALERT_NO_DATA_SWEEP_MS: '300',
      ALERT_NO_DATA_DEFAULT_INTERVAL_MS: '1000',
    };
    [a, b] = await Promise.all([startTelemetry(env), startTelemetry(env)]);
    nc = await connect({ servers: infra.nats.url });
    nc.subscribe('fleet.events.alert.>', {
      callback: (_e, m) => {
        events.push(alertEventSchema.parse(m.json()));
      },
    });
    await nc.flush();
    clientA = await createGrpcClient('telemetry', `127.0.0.1:${a.grpcPort}`, telemetryV1.ALERT_SERVICE_NAME);
    clientB = await createGrpcClient('telemetry', `127.0.0.1:${b.grpcPort}`, telemetryV1.ALERT_SERVICE_NAME);
  }, 120_000);

  afterAll(async () => {
    clientA?.close();
    clientB?.close();
    await nc?.close();
    await a?.process.stop();
    await b?.process.stop();
    await hub?.stop();
    await infra?.stop();
  });

  const rpc = <T>(client: GrpcClient, method: string, req: unknown) => unary<T>(client, method, req);
  const publish = (s: TelemetrySample) => nc.publish(subjects.telemetry(s.agentId), JSON.stringify(s));
  const sql = async <T>(text: string, values: unknown[] = []) => (await runSql(databaseUrl, text, values)).rows as T[];
  const stored = async (agentId: string, n: number) =>
    eventually(async () =>
      expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_samples_raw WHERE agent_id = $1`, [agentId]))[0]!.n).toBe(n),
    );
  const eventsOf = (ruleId: string, agentId?: string) => events.filter((e) => e.ruleId === ruleId && (agentId === undefined || e.agentId === agentId));
  const createRule = (client: GrpcClient, over: Partial<telemetryV1.AlertRuleInput>) =>
    rpc<telemetryV1.AlertRule>(client, 'createAlertRule', {
      name: `rule-${Math.random().toString(36).slice(2)}`,
      metric: 'cpu_percent',
      comparison: '>',
      warning: 60,
      critical: 90,
      clear: 40,
      forSeconds: 30,
      scope: { agentIds: [], site: '', labels: {} },
      enabled: true,
      by: 'admin-1',
      ...over,
    });

  it('seeds the default rules: cpu 80/95, memory 85/95, disk 85/95, unhealthy containers, no data', async () => {
    const { rules } = await rpc<telemetryV1.ListAlertRulesResponse>(clientA, 'listAlertRules', {});
    expect(rules.map((r) => [r.name, r.metric, r.comparison, r.warning ?? null, r.critical ?? null])).toEqual([
      ['cpu', 'cpu_percent', '>', 80, 95],
      ['memory', 'memory_percent', '>', 85, 95],
      ['disk', 'disk_percent', '>', 85, 95],
      ['containers-unhealthy', 'containers_unhealthy', '>', 0, null],
      ['no-data', 'no_data', '>=', null, 3],
    ]);
  });

  it('refuses a bad rule naming the field', async () => {
    await expect(createRule(clientA, { metric: 'gpu' })).rejects.toThrow(/INVALID_ARGUMENT: metric:/);
    await expect(createRule(clientA, { warning: 90, critical: 50 })).rejects.toThrow(/INVALID_ARGUMENT: critical:/);
    await expect(createRule(clientA, { clear: 70 })).rejects.toThrow(/INVALID_ARGUMENT: clear:/);
    await expect(createRule(clientA, { forSeconds: -1 })).rejects.toThrow(/INVALID_ARGUMENT: for_seconds:/);
  });

  it("opens FIRING once the value held past warning for the rule's for, publishes it, and resolves below clear", async () => {
    // Created on A; B learns of it through alert_rules.changed.
    const rule = await createRule(clientA, { scope: { agentIds: ['cpu-1'], site: '', labels: {} } });
    const t0 = Date.now() - 120_000;
    // One at a time, so the samples are evaluated in order whichever instance takes them.
    for (const [i, cpu] of [70, 70, 70].entries()) {
      publish(sample('cpu-1', t0 + i * 10_000, cpu));
      await stored('cpu-1', i + 1);
    }
    // 20 s past warning: not yet.
    expect(eventsOf(rule.id)).toEqual([]);
    publish(sample('cpu-1', t0 + 30_000, 70));
    const [fired] = await soon(() => {
      const e = eventsOf(rule.id);
      expect(e).toHaveLength(1);
      return e;
    });
    expect(fired).toMatchObject({ transition: 'fired', state: 'FIRING', severity: 'WARNING', agentId: 'cpu-1', metric: 'cpu_percent', value: 70, by: null });
    await stored('cpu-1', 4);
    // Between clear (40) and warning (60): still open.
    publish(sample('cpu-1', t0 + 40_000, 50));
    await stored('cpu-1', 5);
    publish(sample('cpu-1', t0 + 50_000, 30));
    await soon(() => expect(eventsOf(rule.id).map((e) => e.transition)).toEqual(['fired', 'resolved']));
    const got = await rpc<telemetryV1.GetAlertResponse>(clientB, 'getAlert', { alertId: fired!.alertId });
    expect(got.alert).toMatchObject({ state: telemetryV1.AlertState.ALERT_STATE_RESOLVED, openedValue: 70, lastValue: 30, resolvedBy: '' });
    expect(got.history.map((h) => [h.transition, h.value])).toEqual([
      ['fired', 70],
      ['resolved', 30],
    ]);
  });

  it("escalates an open warning to critical once the value held past critical for the rule's for: the same alert, alert.escalated, in its history", async () => {
    const rule = await createRule(clientA, { scope: { agentIds: ['esc-1'], site: '', labels: {} } });
    const t0 = Date.now() - 300_000;
    // Warning (60) for 30 s → fired WARNING; then past critical (90) from +40 s, held 30 s at +70 s → escalated.
    const values: [number, number][] = [
      [0, 70],
      [30_000, 75],
      [40_000, 95],
      [60_000, 96],
    ];
    for (const [i, [dt, cpu]] of values.entries()) {
      publish(sample('esc-1', t0 + dt, cpu));
      await stored('esc-1', i + 1);
    }
    await soon(() => expect(eventsOf(rule.id).map((e) => [e.transition, e.severity])).toEqual([['fired', 'WARNING']]));
    // Critical held 30 s (from +40 s): escalated now, not at +60 s (the value says which sample did it).
    publish(sample('esc-1', t0 + 70_000, 97));
    await soon(() =>
      expect(eventsOf(rule.id).map((e) => [e.transition, e.severity, e.value])).toEqual([
        ['fired', 'WARNING', 75],
        ['escalated', 'CRITICAL', 97],
      ]),
    );
    const [fired, escalated] = eventsOf(rule.id);
    expect(escalated!.alertId).toBe(fired!.alertId);
    expect(escalated!.state).toBe('FIRING');
    const got = await rpc<telemetryV1.GetAlertResponse>(clientB, 'getAlert', { alertId: fired!.alertId });
    expect(got.alert).toMatchObject({ severity: telemetryV1.AlertSeverity.ALERT_SEVERITY_CRITICAL, state: telemetryV1.AlertState.ALERT_STATE_FIRING });
    expect(got.history.map((h) => [h.transition, h.value])).toEqual([
      ['fired', 75],
      ['escalated', 97],
    ]);
    // Back under clear: resolved at its escalated severity.
    publish(sample('esc-1', t0 + 80_000, 10));
    await soon(() =>
      expect(eventsOf(rule.id).map((e) => [e.transition, e.severity])).toEqual([
        ['fired', 'WARNING'],
        ['escalated', 'CRITICAL'],
        ['resolved', 'CRITICAL'],
      ]),
    );
  });

  it('a rule scoped by site or labels evaluates only the agents agent-hub puts in that scope', async () => {
    const bySite = await createRule(clientA, { forSeconds: 0, scope: { agentIds: [], site: 'lab', labels: {} } });
    const byLabel = await createRule(clientB, { forSeconds: 0, scope: { agentIds: [], site: '', labels: { rack: 'r1' } } });
    const both = await createRule(clientA, { forSeconds: 0, scope: { agentIds: [], site: 'lab', labels: { rack: 'r1' } } });
    // A round of samples (each agent at 99 %) until every scoped alert has fired: an instance
    // that had not yet reloaded its rules when a round arrived evaluates the next one with them.
    const ids = [...REGISTRY.map((a) => a.id), 'scoped-unknown'];
    const t = Date.now() - 60_000;
    let rounds = 0;
    const firedFor = (ruleId: string) =>
      [
        ...new Set(
          eventsOf(ruleId)
            .filter((e) => e.transition === 'fired')
            .map((e) => e.agentId),
        ),
      ].sort();
    await eventually(async () => {
      for (const id of ids) publish(sample(id, t + rounds * 1000, 99));
      rounds++;
      await nc.flush();
      await new Promise((r) => setTimeout(r, 200));
      expect(firedFor(bySite.id)).toEqual(['scoped-lab-1', 'scoped-lab-2']);
      expect(firedFor(byLabel.id)).toEqual(['scoped-edge-1', 'scoped-lab-1']);
      // Site and labels AND-ed.
      expect(firedFor(both.id)).toEqual(['scoped-lab-1']);
    });
    // Every round seen by the evaluator: nothing fired outside the scopes, nothing twice.
    await eventually(async () =>
      expect(
        (
          await sql<{ n: number }>(`SELECT count(*)::int AS n FROM agent_last_seen WHERE agent_id = ANY($1::text[]) AND last_at = $2`, [
            ids,
            new Date(t + (rounds - 1) * 1000),
          ])
        )[0]!.n,
      ).toBe(ids.length),
    );
    const open = await sql<{ rule_id: string; agent_id: string }>(`SELECT rule_id::text, agent_id FROM alerts WHERE rule_id = ANY($1::uuid[]) ORDER BY 1, 2`, [
      [bySite.id, byLabel.id, both.id],
    ]);
    expect(open).toHaveLength(5);
  });

  it('two instances taking the same agents at once open one alert per agent', async () => {
    const agents = Array.from({ length: 20 }, (_, i) => `dup-${i}`);
    const r = await createRule(clientB, { forSeconds: 0, scope: { agentIds: agents, site: '', labels: {} } });
    const now = Date.now() - 60_000;
    for (let k = 0; k < 5; k++) for (const id of agents) publish(sample(id, now + k * 1000, 75));
    await nc.flush();
    await soon(() => expect(eventsOf(r.id)).toHaveLength(20));
    for (const id of agents) await stored(id, 5);
    const open = await sql<{ agent_id: string; n: number }>(`SELECT agent_id, count(*)::int AS n FROM alerts WHERE rule_id = $1 GROUP BY 1`, [r.id]);
    expect(open).toHaveLength(20);
    expect(open.every((o) => o.n === 1)).toBe(true);
    expect(eventsOf(r.id).every((e) => e.transition === 'fired')).toBe(true);
    // Both instances evaluated some of them.
    const firedBy = async (p: TelemetryProcess) =>
      metricValue(await p.metrics(), 'fleetplane_telemetry_alert_transitions_total', { transition: 'fired', severity: 'warning' });
    expect((await firedBy(a)) + (await firedBy(b))).toBeGreaterThanOrEqual(20);
    expect(metricValue(await a.metrics(), 'fleetplane_telemetry_alert_evaluation_seconds_count')).toBeGreaterThan(0);
    expect(metricValue(await b.metrics(), 'fleetplane_telemetry_alert_evaluation_seconds_count')).toBeGreaterThan(0);

    // Keyset pages over the open alerts of this rule's agents, newest first.
    const seen: string[] = [];
    let token = '';
    do {
      const page: telemetryV1.ListAlertsResponse = await rpc(clientA, 'listAlerts', {
        state: telemetryV1.AlertState.ALERT_STATE_FIRING,
        severity: telemetryV1.AlertSeverity.ALERT_SEVERITY_WARNING,
        agentId: '',
        pageSize: 7,
        pageToken: token,
      });
      seen.push(...page.alerts.filter((x) => x.ruleId === r.id).map((x) => x.agentId));
      token = page.nextPageToken;
    } while (token);
    expect(new Set(seen).size).toBe(20);
  });

  it('ack and resolve by a person: history with who, events with by, 409-like FAILED_PRECONDITION after resolve, re-firing opens a new alert', async () => {
    const r = await createRule(clientA, { forSeconds: 0, scope: { agentIds: ['ack-1'], site: '', labels: {} } });
    const t0 = Date.now() - 60_000;
    publish(sample('ack-1', t0, 95));
    const first = await soon(() => {
      const e = eventsOf(r.id);
      expect(e).toHaveLength(1);
      return e[0]!;
    });
    // Past critical at once with for 0.
    expect(first.severity).toBe('CRITICAL');
    const acked = await rpc<telemetryV1.GetAlertResponse>(clientB, 'acknowledgeAlert', { alertId: first.alertId, by: 'user-7' });
    expect(acked.alert).toMatchObject({ state: telemetryV1.AlertState.ALERT_STATE_ACKNOWLEDGED, acknowledgedBy: 'user-7' });
    // Again: as it is, no second history row.
    await rpc(clientA, 'acknowledgeAlert', { alertId: first.alertId, by: 'user-8' });
    const resolved = await rpc<telemetryV1.GetAlertResponse>(clientA, 'resolveAlert', { alertId: first.alertId, by: 'user-7' });
    expect(resolved.history.map((h) => [h.transition, h.by])).toEqual([
      ['fired', ''],
      ['acknowledged', 'user-7'],
      ['resolved', 'user-7'],
    ]);
    await expect(rpc(clientA, 'acknowledgeAlert', { alertId: first.alertId, by: 'user-7' })).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
    await expect(rpc(clientA, 'resolveAlert', { alertId: first.alertId, by: 'user-7' })).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
    await expect(rpc(clientA, 'getAlert', { alertId: '00000000-0000-4000-8000-0000000000ff' })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await soon(() =>
      expect(eventsOf(r.id).map((e) => [e.transition, e.state, e.by])).toEqual([
        ['fired', 'FIRING', null],
        ['acknowledged', 'ACKNOWLEDGED', 'user-7'],
        ['resolved', 'RESOLVED', 'user-7'],
      ]),
    );
    publish(sample('ack-1', t0 + 1000, 96));
    await soon(() => expect(eventsOf(r.id)).toHaveLength(4));
    expect(eventsOf(r.id)[3]).toMatchObject({ transition: 'fired' });
    expect(eventsOf(r.id)[3]!.alertId).not.toBe(first.alertId);
  });

  it('rule edits take effect without a restart: a disabled rule resolves its open alerts and evaluates no more', async () => {
    const r = await createRule(clientA, { forSeconds: 0, scope: { agentIds: ['edit-1'], site: '', labels: {} } });
    const t0 = Date.now() - 60_000;
    publish(sample('edit-1', t0, 70));
    await soon(() => expect(eventsOf(r.id)).toHaveLength(1));
    // Raised on B: both instances reload.
    const raised = await rpc<telemetryV1.AlertRule>(clientB, 'updateAlertRule', {
      ruleId: r.id,
      set: { warning: 99, critical: 100, clear: 98 },
      fields: ['warning', 'critical', 'clear'],
      unset: [],
    });
    expect(raised).toMatchObject({ warning: 99, critical: 100, clear: 98 });
    const off = await rpc<telemetryV1.AlertRule>(clientB, 'updateAlertRule', { ruleId: r.id, set: { enabled: false }, fields: ['enabled'], unset: [] });
    expect(off.enabled).toBe(false);
    await soon(() => expect(eventsOf(r.id).map((e) => e.transition)).toEqual(['fired', 'resolved']));
    await expect(rpc(clientA, 'updateAlertRule', { ruleId: r.id, set: {}, fields: ['colour'], unset: [] })).rejects.toThrow(/INVALID_ARGUMENT: fields:/);
    const del = await rpc<telemetryV1.DeleteAlertRuleResponse>(clientA, 'deleteAlertRule', { ruleId: r.id, by: 'admin-1' });
    expect(del.resolvedAlerts ?? 0).toBe(0);
    await expect(rpc(clientA, 'deleteAlertRule', { ruleId: r.id, by: 'admin-1' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('"no data": an agent that reported and went silent for 3 intervals gets a critical alert, resolved when it reports again', async () => {
    publish(sample('quiet-1', Date.now(), 5));
    const fired = await soon(() => {
      const e = eventsOf(NO_DATA_RULE, 'quiet-1');
      expect(e).toHaveLength(1);
      return e[0]!;
    }, 20_000);
    expect(fired).toMatchObject({ transition: 'fired', severity: 'CRITICAL', metric: 'no_data' });
    expect(fired.value).toBeGreaterThanOrEqual(3);
    publish(sample('quiet-1', Date.now(), 5));
    // (Silent again afterwards, it fires again later: only the first two are this test's.)
    await soon(() =>
      expect(
        eventsOf(NO_DATA_RULE, 'quiet-1')
          .map((e) => e.transition)
          .slice(0, 2),
      ).toEqual(['fired', 'resolved']),
    );
    const counts = await rpc<telemetryV1.CountOpenAlertsResponse>(clientA, 'countOpenAlerts', {});
    expect((counts.warning ?? 0) + (counts.critical ?? 0)).toBeGreaterThanOrEqual(20);
    // The gauge, refreshed with each sweep: at least the 20 warning alerts of dup-* are firing.
    await eventually(async () =>
      expect(metricValue(await b.metrics(), 'fleetplane_telemetry_alerts_open', { state: 'firing', severity: 'warning' })).toBeGreaterThanOrEqual(20),
    );
  });
});
