import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects } from '@fleetplane/contracts';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, runSql, spawnProcess, startPostgres, startRedis, SERVICE_NODE_ARGS, type ManagedProcess } from '@fleetplane/test-harness';
import type { AuditPage } from '../audit/audit.schemas.js';
import type { TokenPair } from '../auth/token-issuer.js';
import type { StatisticsView } from '../statistics/statistics.schemas.js';
import { appDir, callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import { openStreamClient, type StreamClient } from '../test/stream-client.js';
import type { AlertDetailView, AlertPage, AlertRuleList, AlertRuleView } from './alerts.schemas.js';

// The built gateway in front of the real, built telemetry service on the gateway's own NATS
// (its PostgreSQL and Redis of its own): samples published as the hub does → telemetry opens
// the alert → fleet.events.alert.fired → the gateway's stream; REST → gRPC AlertService for
// reads, ack, resolve and rule edits, with roles and audit. Every answer is held against the
// OpenAPI document.

const ADMIN = { email: 'alerts-admin@example.com', password: 'alerts-admin-password-1234' };
const OPERATOR = { email: 'alerts-operator@example.com', password: 'alerts-operator-password-1234' };
const VIEWER = { email: 'alerts-viewer@example.com', password: 'alerts-viewer-password-1234' };
const telemetryDir = join(appDir, '../telemetry');

let stack: GatewayStack;
let telemetry: ManagedProcess;
let telemetryDb: string;
let nc: NatsConnection;
let admin: string;
let operator: string;
let viewer: string;
let stream: StreamClient;
let rule: AlertRuleView;
let alertId: string;
const stops: (() => Promise<unknown>)[] = [];

const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, method, path, opts);
const login = async (who: { email: string; password: string }) => (await call<TokenPair>('POST', '/api/v1/auth/login', { body: who })).body.accessToken;

/** The next stream frame that is not an alert of another agent. */
async function nextFrame(client: StreamClient): Promise<Record<string, unknown>> {
  const timeout = new Promise<never>((_r, reject) => setTimeout(() => reject(new Error('no stream frame within 15 s')), 15_000));
  return (await Promise.race([client.next(), timeout])) as Record<string, unknown>;
}

async function storedSamples(agentId: string): Promise<number> {
  const { rows } = await runSql(telemetryDb, 'SELECT count(*)::int AS n FROM telemetry_samples_raw WHERE agent_id = $1', [agentId]);
  return (rows[0] as { n: number }).n;
}

beforeAll(async () => {
  const grpcPort = await freePort();
  stack = await startGatewayStack({ admin: ADMIN, env: { LOGIN_RATE_LIMIT: '1000', TELEMETRY_GRPC_URL: `127.0.0.1:${grpcPort}` } });
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  stops.push(
    () => postgres.stop(),
    () => redis.stop(),
  );
  telemetryDb = await postgres.createDatabase('telemetry');
  await deployMigrations({
    schemaPath: join(telemetryDir, 'prisma/schema.prisma'),
    migrationsDir: join(telemetryDir, 'prisma/migrations'),
    databaseUrl: telemetryDb,
  });
  const [httpPort, nobody] = [await freePort(), await freePort()];
  telemetry = spawnProcess('telemetry', process.execPath, [...SERVICE_NODE_ARGS], {
    cwd: telemetryDir,
    env: {
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      DATABASE_URL: telemetryDb,
      NATS_URL: stack.natsUrl,
      REDIS_URL: redis.url,
      AGENT_HUB_GRPC_URL: `127.0.0.1:${nobody}`,
      INGEST_BATCH_LINGER_MS: '5',
    },
  });
  stops.unshift(() => telemetry.stop());
  await telemetry.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 60_000);
  nc = await connect({ servers: stack.natsUrl });
  admin = await login(ADMIN);
  for (const [who, role] of [
    [OPERATOR, 'operator'],
    [VIEWER, 'viewer'],
  ] as const)
    expect((await call('POST', '/api/v1/users', { token: admin, body: { ...who, role } })).status).toBe(201);
  operator = await login(OPERATOR);
  viewer = await login(VIEWER);
}, 180_000);

afterAll(async () => {
  await nc?.close();
  await stack?.stop();
  for (const s of stops) await s().catch(() => undefined);
});

describe('alert rules', () => {
  it('lists the seeded defaults to a viewer', async () => {
    const res = await call<AlertRuleList>('GET', '/api/v1/alert-rules', { token: viewer });
    expect(res.status, res.text).toBe(200);
    expect(res.body.rules.find((r) => r.name === 'cpu')).toMatchObject({ metric: 'cpu_percent', comparison: '>', warning: 80, critical: 95, builtin: true });
    expect(res.body.rules.map((r) => r.name)).toEqual(['cpu', 'memory', 'disk', 'containers-unhealthy', 'no-data']);
  });

  it('lets only an admin add one; 400 naming the field, 409 for a name in use', async () => {
    const body = {
      name: 'gw-cpu',
      metric: 'cpu_percent',
      comparison: '>',
      warning: 60,
      critical: 90,
      clear: 40,
      forSeconds: 20,
      scope: { agentIds: ['gw-1'] },
    };
    expect((await call('POST', '/api/v1/alert-rules', { token: operator, body })).status).toBe(403);
    const bad = await call<{ field?: string }>('POST', '/api/v1/alert-rules', { token: admin, body: { ...body, metric: 'gpu' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/metric/);
    // Checked by telemetry, named as the REST body names it.
    const inverted = await call('POST', '/api/v1/alert-rules', { token: admin, body: { ...body, warning: 90, critical: 50 } });
    expect(inverted.status).toBe(400);
    expect(inverted.text).toMatch(/critical/);
    const created = await call<AlertRuleView>('POST', '/api/v1/alert-rules', { token: admin, body });
    expect(created.status, created.text).toBe(201);
    rule = created.body;
    expect(rule).toMatchObject({ name: 'gw-cpu', forSeconds: 20, enabled: true, builtin: false, scope: { agentIds: ['gw-1'], site: '', labels: {} } });
    expect((await call('POST', '/api/v1/alert-rules', { token: admin, body })).status).toBe(409);
  });
});

describe('an alert end to end', () => {
  it("opens FIRING once cpu stayed over the threshold for the rule's for, pushed on the stream and listed over REST", async () => {
    stream = await openStreamClient(stack);
    stream.send({ type: 'auth', token: viewer });
    expect(await nextFrame(stream)).toEqual({ type: 'ready' });
    stream.send({ type: 'subscribe_alerts', agentId: 'gw-1' });
    expect(await nextFrame(stream)).toEqual({ type: 'alerts_subscribed', agentId: 'gw-1' });
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 3; i++) {
      const sample = {
        agentId: 'gw-1',
        takenAt: new Date(t0 + i * 10_000).toISOString(),
        cpuPercent: 75,
        memoryUsedBytes: 1,
        memoryTotalBytes: 4,
        load: [0, 0, 0],
        diskUsedBytes: 1,
        diskTotalBytes: 2,
        uptimeSeconds: 1,
      };
      nc.publish(subjects.telemetry('gw-1'), JSON.stringify(sample));
      for (const until = Date.now() + 15_000; (await storedSamples('gw-1')) < i + 1;) {
        if (Date.now() > until) throw new Error('sample not stored');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const fired = await nextFrame(stream);
    expect(fired).toMatchObject({
      type: 'alert.fired',
      ruleId: rule.id,
      ruleName: 'gw-cpu',
      agentId: 'gw-1',
      severity: 'WARNING',
      state: 'FIRING',
      value: 75,
      by: null,
    });
    alertId = fired.alertId as string;
    const page = await call<AlertPage>('GET', '/api/v1/alerts?agentId=gw-1&state=FIRING', { token: viewer });
    expect(page.status, page.text).toBe(200);
    expect(page.body.alerts.map((a) => a.id)).toEqual([alertId]);
    expect(page.body.nextPageToken).toBeNull();
    const one = await call<AlertDetailView>('GET', `/api/v1/alerts/${alertId}`, { token: viewer });
    expect(one.status, one.text).toBe(200);
    expect(one.body).toMatchObject({ state: 'FIRING', mount: null, openedValue: 75, acknowledgedBy: null });
    expect(one.body.history).toEqual([
      { transition: 'fired', state: 'FIRING', severity: 'WARNING', value: 75, by: null, at: new Date(t0 + 20_000).toISOString() },
    ]);
    const stats = await call<StatisticsView>('GET', '/api/v1/statistics', { token: viewer });
    expect(stats.body.alerts.firing).toBeGreaterThanOrEqual(1);
  });

  it('is acknowledged by an operator (not a viewer), audited, and pushed as alert.acknowledged', async () => {
    expect((await call('POST', `/api/v1/alerts/${alertId}/ack`, { token: viewer })).status).toBe(403);
    const acked = await call<AlertDetailView>('POST', `/api/v1/alerts/${alertId}/ack`, { token: operator });
    expect(acked.status, acked.text).toBe(200);
    expect(acked.body).toMatchObject({ state: 'ACKNOWLEDGED', acknowledgedBy: expect.any(String) as string });
    expect(await nextFrame(stream)).toMatchObject({ type: 'alert.acknowledged', alertId, state: 'ACKNOWLEDGED', by: acked.body.acknowledgedBy });
    const audit = await call<AuditPage>('GET', `/api/v1/audit?action=alert.acknowledge`, { token: admin });
    expect(audit.body.entries.map((e) => [e.action, e.target, e.outcome])).toContainEqual(['alert.acknowledge', alertId, 'success']);
  });

  it('is resolved by an operator; a second resolve or ack is 409; unknown 404; malformed id 400 naming id', async () => {
    const res = await call<AlertDetailView>('POST', `/api/v1/alerts/${alertId}/resolve`, { token: operator });
    expect(res.status, res.text).toBe(200);
    expect(res.body.history.map((h) => h.transition)).toEqual(['fired', 'acknowledged', 'resolved']);
    expect(await nextFrame(stream)).toMatchObject({ type: 'alert.resolved', alertId, state: 'RESOLVED' });
    expect((await call('POST', `/api/v1/alerts/${alertId}/resolve`, { token: operator })).status).toBe(409);
    expect((await call('POST', `/api/v1/alerts/${alertId}/ack`, { token: operator })).status).toBe(409);
    expect((await call('GET', '/api/v1/alerts/00000000-0000-4000-8000-0000000000ff', { token: viewer })).status).toBe(404);
    const bad = await call('GET', '/api/v1/alerts/nope', { token: viewer });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id/);
    expect((await call('GET', '/api/v1/alerts?severity=LOUD', { token: viewer })).status).toBe(400);
    const failed = await call<AuditPage>('GET', `/api/v1/audit?action=alert.resolve`, { token: admin });
    expect(failed.body.entries.map((e) => e.outcome).sort()).toEqual(['failed', 'success']);
  });

  it('lets an admin change and delete the rule (audited); 400 naming forSeconds, 404 after deletion', async () => {
    const bad = await call('PATCH', `/api/v1/alert-rules/${rule.id}`, { token: admin, body: { forSeconds: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/forSeconds/);
    const changed = await call<AlertRuleView>('PATCH', `/api/v1/alert-rules/${rule.id}`, { token: admin, body: { warning: 70, clear: null } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ warning: 70, critical: 90, clear: null });
    expect((await call('DELETE', `/api/v1/alert-rules/${rule.id}`, { token: operator })).status).toBe(403);
    const del = await call<{ resolvedAlerts: number }>('DELETE', `/api/v1/alert-rules/${rule.id}`, { token: admin });
    expect(del.status, del.text).toBe(200);
    expect(del.body).toEqual({ resolvedAlerts: 0 });
    expect((await call('DELETE', `/api/v1/alert-rules/${rule.id}`, { token: admin })).status).toBe(404);
    const audit = await call<AuditPage>('GET', `/api/v1/audit?target=${rule.id}`, { token: admin });
    expect(audit.body.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['alert_rule.update', 'alert_rule.delete']));
  });
});
