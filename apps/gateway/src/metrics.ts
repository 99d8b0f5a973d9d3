import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@fleetplane/observability';

// What an SRE watches on the gateway: sign-in outcomes (a spike of failures is an attack),
// throttled logins, the health of calls to the services behind it, and lost audit rows.
export const loginsTotal = new Counter({
  name: 'gateway_logins_total',
  help: 'Login attempts by outcome (success, invalid_credentials, rate_limited, error)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const authFailuresTotal = new Counter({
  name: 'gateway_auth_failures_total',
  help: 'Requests refused for missing or bad credentials (401) or a role too low (403); stream_* reasons for the live-update WebSocket',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const refreshReuseTotal = new Counter({
  name: 'gateway_refresh_token_reuse_total',
  help: 'Reuse of an already rotated refresh token (the token family is revoked): a sign of token theft',
  registers: [metricsRegistry],
});

export const upstreamDuration = new Histogram({
  name: 'gateway_upstream_request_duration_seconds',
  help: 'gRPC calls from the gateway to other services, by service, method and gRPC status',
  labelNames: ['service', 'method', 'code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const auditWriteFailures = new Counter({
  name: 'gateway_audit_write_failures_total',
  help: 'Audit rows that could not be written (the request itself was not failed for it)',
  registers: [metricsRegistry],
});

export const streamClients = new Gauge({
  name: 'gateway_stream_clients',
  help: 'Authenticated live-update WebSocket clients connected to this instance',
  registers: [metricsRegistry],
});

export const streamEventsPushed = new Counter({
  name: 'gateway_stream_events_pushed_total',
  help: 'execution.updated events written to live-update clients (one per matching socket)',
  registers: [metricsRegistry],
});
