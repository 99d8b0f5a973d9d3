import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { exportedMetrics, isServed, metricNamesIn } from '@fleetplane/deploy-manifests';
import { startInfra, type Infra } from '@fleetplane/test-harness';
import { REPO_ROOT, SERVICES, startFleet, type Fleet, type ServiceName } from '../fleet.js';
import { GatewayClient } from '../gateway-client.js';

// Every metric a dashboard panel, an alert or recording rule, or an autoscaler queries must be one
// the services really export: read from each service's own /metrics, the whole system started once.
// prom-client writes `# TYPE` for every registered metric, sampled yet or not, so a labelled counter
// nothing has incremented still counts; one command through the system makes the common ones real.
const admin = { email: 'admin@metrics.test', password: 'correct horse battery staple' };
const AGENT = 'metrics-agent';
/** Series Prometheus itself makes for each scrape target. */
const PROMETHEUS_SERIES = new Set(['up']);

interface Query {
  where: string;
  expr: string;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { title: string; panels: { title: string; targets: { expr: string }[] }[] };
const dashboardsDir = join(REPO_ROOT, 'infra/grafana/dashboards');
const dashboardQueries: Query[] = readdirSync(dashboardsDir).flatMap((f) => {
  const d = readJson(join(dashboardsDir, f));
  return d.panels.flatMap((p) => p.targets.map((t) => ({ where: `${f}: ${p.title}`, expr: t.expr })));
});
type RuleFile = { groups: { rules: { record?: string; alert?: string; expr: string }[] }[] };
const rulesDir = join(REPO_ROOT, 'infra/prometheus/rules');
const rules = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.yml'))
  .flatMap((f) => (parse(readFileSync(join(rulesDir, f), 'utf8')) as RuleFile).groups.flatMap((g) => g.rules.map((r) => ({ ...r, file: f }))));
const ruleQueries: Query[] = rules.map((r) => ({ where: `${r.file}: ${r.record ?? r.alert}`, expr: r.expr }));
/** The HPAs' custom metrics (infra/k8s), which prometheus-adapter serves from the same scrape. */
const hpaQueries: Query[] = SERVICES.flatMap((s) =>
  parseAllDocuments(readFileSync(join(REPO_ROOT, `infra/k8s/base/${s}/hpa.yaml`), 'utf8'))
    .map((d) => d.toJS() as { spec: { metrics: { pods?: { metric: { name: string } } }[] } })
    .flatMap((h) => h.spec.metrics.flatMap((m) => (m.pods ? [{ where: `infra/k8s/base/${s}/hpa.yaml`, expr: m.pods.metric.name }] : []))),
);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));

describe('dashboards, rules and autoscalers against the metrics the services export', () => {
  let infra: Infra;
  let fleet: Fleet;
  const exported = new Map<string, string>();
  const byService = new Map<ServiceName, Map<string, string>>();

  beforeAll(async () => {
    infra = await startInfra();
    fleet = await startFleet({ infra, admin, jwtSecret: 'metrics-secret-that-is-long-enough-0123456789' });
    const gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(admin.email, admin.password);
    const { token } = await gateway.enrollAgent(AGENT, 'metrics');
    await fleet.startAgent({ id: AGENT, token });
    await gateway.waitForAgent(AGENT);
    await gateway.waitForCommand((await gateway.submitCommand({ verb: 'exec', params: { argv: ['echo', 'hi'] }, targets: [AGENT] })).id);
    const p = fleet.ports;
    const metricsPorts: Record<ServiceName, number> = {
      gateway: p.gatewayMetrics,
      'agent-hub': p.agentHubMetrics,
      command: p.commandHttp,
      telemetry: p.telemetryHttp,
      'tile-worker': p.tileWorkerHttp,
      backup: p.backupHttp,
    };
    for (const s of SERVICES) {
      const res = await fetch(`http://127.0.0.1:${metricsPorts[s]}/metrics`);
      expect(res.status).toBe(200);
      const metrics = exportedMetrics(await res.text());
      byService.set(s, metrics);
      for (const [k, v] of metrics) exported.set(k, v);
    }
  });

  afterAll(async () => {
    await fleet?.stop();
    await infra?.stop();
  });

  it('every service exports its own fleetplane_<service>_ metrics and the process ones the dashboards share', () => {
    for (const s of SERVICES) {
      const names = [...byService.get(s)!.keys()];
      expect(names.filter((n) => n.startsWith(`fleetplane_${s.replace(/-/g, '_')}_`)).length, s).toBeGreaterThan(0);
      expect(names, s).toEqual(expect.arrayContaining(['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds']));
    }
  });

  /** Every series name the scrape gives: histograms as their _bucket, _sum and _count. */
  const seriesNames = () => [...exported].flatMap(([n, type]) => (type === 'histogram' ? [`${n}_bucket`, `${n}_sum`, `${n}_count`] : [n]));

  it.each([
    ['the dashboards', dashboardQueries],
    ['the alert and recording rules', ruleQueries],
    ['the autoscalers', hpaQueries],
  ])('%s query only metrics that exist', (_, queries) => {
    expect(queries.length).toBeGreaterThan(0);
    const unknown = queries.flatMap(({ where, expr }) => {
      const { names, nameRegexes } = metricNamesIn(expr);
      // An expression that names no metric would pass vacuously: it is a lexer bug or a typo.
      if (!names.length && !nameRegexes.length) return [`${where}: no metric found in ${expr}`];
      const missing = names.filter((n) => !isServed(n, exported) && !recorded.has(n) && !PROMETHEUS_SERIES.has(n));
      const unmatched = nameRegexes.filter((re) => !seriesNames().some((n) => new RegExp(`^(?:${re})$`).test(n)));
      return [...missing, ...unmatched].map((n) => `${where}: ${n}`);
    });
    expect(unknown).toEqual([]);
  });
});
