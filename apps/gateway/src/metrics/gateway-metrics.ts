import { Injectable } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricFactory } from '@fleetplane/service-kit';

export type LoginOutcome = 'success' | 'invalid_credentials' | 'rate_limited' | 'error';
/** REST refusals, and `stream_…` ones of the live-update WebSocket. */
export type AuthFailureReason = 'unauthenticated' | 'forbidden' | `stream_${string}`;
/** A request limit's check: counted and allowed, refused (429), or Redis did not answer. */
export type RateLimitOutcome = 'allowed' | 'limited' | 'unavailable';

/**
 * What an SRE watches on the gateway, all `fleetplane_gateway_…`: sign-in
 * outcomes (a spike of failures is an attack), refused credentials, reuse of
 * rotated refresh tokens, lost audit rows and the live-update sockets. The
 * calls to command and agent-hub are timed by service-kit's gRPC client
 * (`fleetplane_gateway_upstream_request_duration_seconds{upstream,method,code}`).
 */
@Injectable()
export class GatewayMetrics {
  private readonly logins: Counter<'outcome'>;
  private readonly authFailures: Counter<'reason'>;
  private readonly refreshTokenReuse: Counter;
  private readonly auditWriteFailures: Counter;
  private readonly auditSpoolRows: Gauge;
  private readonly auditRowsReplayed: Counter;
  private readonly auditRowsLost: Counter;
  private readonly auditBatchedRows: Counter<'result'>;
  private readonly streamClients: Gauge;
  private readonly streamEventsPushed: Counter;
  private readonly streamOutputChunksPushed: Counter;
  private readonly rateLimitDecisions: Counter<'class' | 'scope' | 'outcome'>;

  constructor(metrics: MetricFactory) {
    this.logins = metrics.counter({
      name: 'logins_total',
      help: 'Login attempts by outcome (success, invalid_credentials, rate_limited, error)',
      labelNames: ['outcome'] as const,
    });
    this.authFailures = metrics.counter({
      name: 'auth_failures_total',
      help: 'Requests refused for missing or bad credentials (401) or a role too low (403); stream_* reasons for the live-update WebSocket',
      labelNames: ['reason'] as const,
    });
    this.refreshTokenReuse = metrics.counter({
      name: 'refresh_token_reuse_total',
      help: 'Reuse of an already rotated refresh token (the token family is revoked): a sign of token theft',
    });
    this.auditWriteFailures = metrics.counter({
      name: 'audit_write_failures_total',
      help: 'Audit rows whose first write failed (the request itself was not failed for it); each went to the local spool',
    });
    this.auditSpoolRows = metrics.gauge({ name: 'audit_spool_rows', help: 'Audit rows waiting in the local spool for the database' });
    this.auditRowsReplayed = metrics.counter({ name: 'audit_rows_replayed_total', help: 'Audit rows written from the local spool after a failed first write' });
    this.auditRowsLost = metrics.counter({
      name: 'audit_rows_lost_total',
      help: 'Audit rows lost: neither the database nor the local spool took them, or a spooled line was unreadable',
    });
    this.auditBatchedRows = metrics.counter({
      name: 'audit_batched_rows_total',
      help: "Executions' final-state audit rows by result: handed to a batch INSERT that succeeded (a duplicate is skipped by the database), or spooled because it failed",
      labelNames: ['result'] as const,
    });
    this.rateLimitDecisions = metrics.counter({
      name: 'rate_limit_decisions_total',
      help: 'Request limit checks by route class (auth, read, write, stream), scope (ip before authentication, principal after) and outcome (allowed, limited, unavailable: Redis did not answer)',
      labelNames: ['class', 'scope', 'outcome'] as const,
    });
    this.streamClients = metrics.gauge({ name: 'stream_clients', help: 'Authenticated live-update WebSocket clients connected to this instance' });
    this.streamEventsPushed = metrics.counter({
      name: 'stream_events_pushed_total',
      help: 'execution.updated events written to live-update clients (one per matching socket)',
    });
    this.streamOutputChunksPushed = metrics.counter({
      name: 'stream_output_chunks_pushed_total',
      help: 'execution.output chunks written to live-update clients (one per following socket)',
    });
  }

  login(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }
  authFailed(reason: AuthFailureReason): void {
    this.authFailures.inc({ reason });
  }
  refreshTokenReused(): void {
    this.refreshTokenReuse.inc();
  }
  auditWriteFailed(): void {
    this.auditWriteFailures.inc();
  }
  auditSpooled(pendingRows: number): void {
    this.auditSpoolRows.set(pendingRows);
  }
  auditReplayed(rows: number, pendingRows: number): void {
    this.auditRowsReplayed.inc(rows);
    this.auditSpoolRows.set(pendingRows);
  }
  auditRowLost(rows = 1): void {
    this.auditRowsLost.inc(rows);
  }
  auditBatch(result: 'written' | 'spooled', rows: number): void {
    this.auditBatchedRows.inc({ result }, rows);
  }
  streamOpened(): void {
    this.streamClients.inc();
  }
  streamClosed(): void {
    this.streamClients.dec();
  }
  rateLimitDecision(routeClass: string, scope: 'ip' | 'principal', outcome: RateLimitOutcome): void {
    this.rateLimitDecisions.inc({ class: routeClass, scope, outcome });
  }
  streamOutputPushed(): void {
    this.streamOutputChunksPushed.inc();
  }
  streamEventPushed(): void {
    this.streamEventsPushed.inc();
  }
}
