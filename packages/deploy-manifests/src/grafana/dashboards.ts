import { stringify } from 'yaml';
import { SERVICES, type ServiceName } from '../services.js';
import { dashboardJson, panel, q, quantiles, rateBy, stat, type DashboardSpec, type PanelSpec } from './panels.js';

const sel = (service: ServiceName) => `{service="${service}"}`;
const m = (service: ServiceName, name: string) => `fleetplane_${service.replace(/-/g, '_')}_${name}`;

/** Every service's process and HTTP panels (prom-client's default metrics, observability's HTTP histogram). */
const processPanels = (s: ServiceName): PanelSpec[] => [
  panel('Resident memory', 'bytes', q(`process_resident_memory_bytes${sel(s)}`, '{{instance}}')),
  panel('CPU', 'percentunit', q(`rate(process_cpu_seconds_total${sel(s)}[5m])`, '{{instance}}')),
  panel('Event loop lag p99', 's', q(`nodejs_eventloop_lag_p99_seconds${sel(s)}`, '{{instance}}')),
  panel('Heap used', 'bytes', q(`nodejs_heap_size_used_bytes${sel(s)}`, '{{instance}}')),
  panel('HTTP requests by status', 'reqps', rateBy('http_server_request_duration_seconds_count', ['http_response_status_code'], sel(s))),
  panel('HTTP latency', 's', ...quantiles('http_server_request_duration_seconds', `{service="${s}", http_route!~"/health|/ready|/metrics"}`)),
];

const upstreamPanels = (s: ServiceName): PanelSpec[] => [
  panel('gRPC calls to upstreams by status', 'reqps', rateBy(`${m(s, 'upstream_request_duration_seconds')}_count`, ['upstream', 'code'])),
  panel('gRPC upstream latency p99', 's', ...quantiles(m(s, 'upstream_request_duration_seconds'), '', ['upstream']).slice(1)),
];

const SERVICE_PANELS: Record<ServiceName, PanelSpec[]> = {
  gateway: [
    panel('Logins by outcome', 'ops', rateBy(m('gateway', 'logins_total'), ['outcome'])),
    panel('Authentication failures by reason', 'ops', rateBy(m('gateway', 'auth_failures_total'), ['reason'])),
    panel('Rate limit decisions', 'ops', rateBy(m('gateway', 'rate_limit_decisions_total'), ['class', 'outcome'])),
    panel('Live-update clients', 'short', q(`sum(${m('gateway', 'stream_clients')})`, 'clients')),
    panel('Stream events pushed', 'ops', q(`sum(rate(${m('gateway', 'stream_events_pushed_total')}[5m]))`, 'events')),
    panel(
      'Audit spool and losses',
      'short',
      q(`sum(${m('gateway', 'audit_spool_rows')})`, 'spooled rows'),
      q(`sum(increase(${m('gateway', 'audit_rows_lost_total')}[1h]))`, 'lost (1 h)'),
    ),
    ...upstreamPanels('gateway'),
  ],
  'agent-hub': [
    panel('Connected agents per hub', 'short', q(m('agent-hub', 'connected_agents'), '{{instance}}')),
    panel('Admission refusals', 'ops', rateBy(m('agent-hub', 'admission_refusals_total'), ['reason', 'stage'])),
    panel('Frames received by type', 'ops', rateBy(m('agent-hub', 'frames_received_total'), ['type'])),
    panel('Protocol errors by reason', 'ops', rateBy(m('agent-hub', 'protocol_errors_total'), ['reason'])),
    panel('Dispatches by outcome', 'ops', rateBy(m('agent-hub', 'dispatches_total'), ['outcome'])),
    panel('Enrollments by outcome', 'ops', rateBy(m('agent-hub', 'enrollments_total'), ['outcome'])),
    panel('JetStream publish failures', 'ops', rateBy(m('agent-hub', 'publish_failures_total'), ['kind'])),
    panel('Presence flushes', 'ops', rateBy(m('agent-hub', 'presence_flushes_total'), ['outcome'])),
  ],
  command: [
    panel('Commands submitted by verb', 'ops', rateBy(m('command', 'commands_submitted_total'), ['verb'])),
    panel('Executions finished by state', 'ops', rateBy(m('command', 'executions_finished_total'), ['state'])),
    panel('Dispatch latency', 's', ...quantiles(m('command', 'dispatch_latency_seconds'))),
    panel('Submit latency', 's', ...quantiles(m('command', 'submit_duration_seconds'))),
    panel('Dispatch queue by state', 'short', q(`max by (state) (${m('command', 'dispatch_queue_jobs')})`, '{{state}}')),
    panel('Dispatch attempts by outcome', 'ops', rateBy(m('command', 'dispatch_attempts_total'), ['outcome'])),
    // Non-zero only after an instance died between storing executions and queueing them.
    panel('Executions queued by the recovery sweep', 'ops', q(`sum(rate(${m('command', 'queue_recovered_total')}[5m]))`, 'recovered')),
    panel('End to end p99 by state', 's', ...quantiles(m('command', 'execution_end_to_end_seconds'), '', ['state']).slice(1)),
    panel('Output stored', 'Bps', rateBy(m('command', 'output_bytes_total'), ['stream'])),
    ...upstreamPanels('command'),
  ],
  telemetry: [
    panel('Samples ingested by outcome', 'ops', rateBy(m('telemetry', 'samples_ingested_total'), ['outcome'])),
    panel('Ingest lag', 's', ...quantiles(m('telemetry', 'ingest_lag_seconds'))),
    panel('JetStream consumer pending', 'short', q(`max by (kind) (${m('telemetry', 'consumer_pending')})`, '{{kind}}')),
    panel('Batch size p50', 'short', ...quantiles(m('telemetry', 'ingest_batch_size')).slice(0, 1)),
    panel(
      'Failed batches and dead letters',
      'ops',
      q(`sum(rate(${m('telemetry', 'ingest_batch_failures_total')}[5m]))`, 'failed batches'),
      rateBy(m('telemetry', 'dead_letters_total'), ['reason']),
    ),
    panel('Open alerts by severity', 'short', q(`max by (state, severity) (${m('telemetry', 'alerts_open')})`, '{{state}} {{severity}}')),
    panel('Alert transitions', 'ops', rateBy(m('telemetry', 'alert_transitions_total'), ['transition', 'severity'])),
    panel('Alert evaluation', 's', ...quantiles(m('telemetry', 'alert_evaluation_seconds'))),
    ...upstreamPanels('telemetry'),
  ],
  'tile-worker': [
    panel(
      'Jobs submitted and finished',
      'ops',
      q(`sum(rate(${m('tile-worker', 'jobs_submitted_total')}[5m]))`, 'submitted'),
      rateBy(m('tile-worker', 'jobs_finished_total'), ['state']),
    ),
    panel('Queue by state', 'short', q(`max by (state) (${m('tile-worker', 'queue_jobs')})`, '{{state}}')),
    panel('Run duration', 's', ...quantiles(m('tile-worker', 'run_duration_seconds'))),
    panel(
      'Worker pool',
      'short',
      q(`sum(${m('tile-worker', 'pool_threads')})`, 'threads'),
      q(`sum(${m('tile-worker', 'pool_queued_partitions')})`, 'queued partitions'),
    ),
    panel('Pool utilisation', 'percentunit', q(m('tile-worker', 'pool_utilization_ratio'), '{{instance}}')),
    panel('Result cache', 'percentunit', q(m('tile-worker', 'cache_hit_ratio'), 'hit ratio {{instance}}')),
    panel('Cache lookups', 'ops', rateBy(m('tile-worker', 'cache_lookups_total'), ['tier', 'outcome'])),
    panel('Partition retries by reason', 'ops', rateBy(m('tile-worker', 'partition_retries_total'), ['reason'])),
    ...upstreamPanels('tile-worker'),
  ],
  backup: [
    panel('Time since the last successful backup', 's', q(`fleetplane:backup_last_success_age_seconds`, '{{source}}')),
    panel('Job duration p99 by kind', 's', ...quantiles(m('backup', 'job_duration_seconds'), '', ['kind']).slice(1)),
    panel('Job failures by kind', 'ops', rateBy(m('backup', 'job_failures_total'), ['kind'])),
    panel('Bytes read and stored', 'Bps', rateBy(m('backup', 'bytes_read_total'), ['type']), rateBy(m('backup', 'bytes_stored_total'), ['type'])),
    panel(
      'Compression and deduplication',
      'short',
      q(`max by (type) (${m('backup', 'compression_ratio')})`, 'compression {{type}}'),
      q(`max by (type) (${m('backup', 'dedup_ratio')})`, 'dedup {{type}}'),
    ),
  ],
};

const overview: DashboardSpec = {
  uid: 'fleetplane-overview',
  title: 'fleetplane / fleet overview',
  description: 'The six services at a glance: up, errors, latency SLOs, agents, queues, backups.',
  panels: [
    stat('Instances up', 'short', q('sum(up{job="fleetplane"})', 'up'), q('count(up{job="fleetplane"} == 0)', 'down')),
    stat('Connected agents', 'short', q('fleetplane:agent_hub_connected_agents', 'agents')),
    panel('HTTP error ratio by service', 'percentunit', q('fleetplane:http_errors:rate5m / fleetplane:http_requests:rate5m', '{{service}}')),
    panel('HTTP p99 by service', 's', q('fleetplane:http_request_duration_seconds:p99_5m', '{{service}}')),
    panel(
      'Command path p99',
      's',
      q('fleetplane:command_submit_duration_seconds:p99_5m', 'submit'),
      q('fleetplane:command_dispatch_latency_seconds:p99_5m', 'dispatch'),
    ),
    panel('Dispatch backlog', 'short', q('fleetplane:command_dispatch_backlog', 'executions waiting')),
    panel('Telemetry pending in JetStream', 'short', q('fleetplane:telemetry_consumer_pending', '{{kind}}')),
    panel('Hub refusals', 'ops', q('fleetplane:agent_hub_refusals:rate5m', '{{reason}}')),
    panel('Backup age by source', 's', q('fleetplane:backup_last_success_age_seconds', '{{source}}')),
    panel('gRPC error ratio', 'percentunit', q('fleetplane:upstream_errors:rate5m / fleetplane:upstream_calls:rate5m', '{{service}} → {{upstream}}')),
    panel('Resident memory by service', 'bytes', q('sum by (service) (process_resident_memory_bytes{service!=""})', '{{service}}')),
    panel('CPU by service', 'percentunit', q('sum by (service) (rate(process_cpu_seconds_total{service!=""}[5m]))', '{{service}}')),
  ],
};

export const DASHBOARDS: DashboardSpec[] = [
  overview,
  ...SERVICES.map((s) => ({
    uid: `fleetplane-${s}`,
    title: `fleetplane / ${s}`,
    description: `${s}: its own metrics (fleetplane_${s.replace(/-/g, '_')}_*), then process and HTTP.`,
    panels: [...SERVICE_PANELS[s], ...processPanels(s)],
  })),
];

/** Grafana's provisioning: the Prometheus data source and this folder of dashboards (docker-compose.yml mounts both). */
const provisioning = {
  datasources: {
    apiVersion: 1,
    datasources: [{ name: 'Prometheus', type: 'prometheus', uid: 'prometheus', access: 'proxy', url: 'http://prometheus:9090', isDefault: true }],
  },
  dashboards: {
    apiVersion: 1,
    providers: [{ name: 'fleetplane', folder: 'fleetplane', type: 'file', disableDeletion: true, options: { path: '/var/lib/grafana/dashboards' } }],
  },
};

export function dashboardFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of DASHBOARDS) files.set(`infra/grafana/dashboards/${d.uid.replace(/^fleetplane-/, '')}.json`, `${JSON.stringify(dashboardJson(d), null, 2)}\n`);
  for (const [kind, content] of Object.entries(provisioning)) {
    files.set(`infra/grafana/provisioning/${kind}/fleetplane.yml`, `# Generated by packages/deploy-manifests.\n${stringify(content)}`);
  }
  return files;
}

/** Every PromQL expression the dashboards query (for the metrics check). */
export const dashboardExpressions = () =>
  DASHBOARDS.flatMap((d) => d.panels.flatMap((p) => p.queries.map((query) => ({ where: `${d.uid} / ${p.title}`, expr: query.expr }))));
