import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Subscription } from '@nats-io/transport-node';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { eventSchemas, subjects, type EventPayload } from '@fleetplane/contracts';
import { InjectConfig } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { GatewayConfig } from '../config.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { AuditBatchWriter } from './audit-batch-writer.js';
import { AuditRepository } from './audit.repository.js';
import { AuditSpool, type SpooledRow } from './audit-spool.js';

type ExecutionUpdated = EventPayload<'execution.updated'>;

/** The states an execution does not leave: each gets its one audit row. */
export const FINAL_EXECUTION_STATES: ReadonlySet<ExecutionUpdated['state']> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'SKIPPED', 'EXPIRED']);

export const EXECUTION_FINISHED_ACTION = 'execution.finished';

/** One gateway instance of the group writes each event's row (core NATS queue group). */
export const EXECUTION_AUDIT_QUEUE = 'gateway-execution-audit';

/**
 * The row's id, derived from the execution id: an event delivered twice (command re-emits on a
 * redelivered result) or a batch replayed from the spool after a half-known failure inserts the
 * row once (`skipDuplicates`). Formatted as an RFC 9562 version-8 (custom) UUID, which the audit
 * log's id column and schemas take.
 */
export function executionAuditRowId(executionId: string): string {
  const h = createHash('sha256').update(`${EXECUTION_FINISHED_ACTION}\u0000${executionId}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The audit row of an execution's final state, or null for a state it may still leave. */
export function executionAuditRow(e: ExecutionUpdated, traceId: string | null): SpooledRow | null {
  if (!FINAL_EXECUTION_STATES.has(e.state)) return null;
  return {
    id: executionAuditRowId(e.executionId),
    at: new Date(e.at),
    action: EXECUTION_FINISHED_ACTION,
    // The row records how the execution ended: only COMPLETED is a success; the state says the rest.
    outcome: e.state === 'COMPLETED' ? 'success' : 'failed',
    // Nobody acted: the command's submit row names who asked for it.
    actor: null,
    actorType: null,
    ip: null,
    target: e.executionId,
    traceId,
    commandId: e.commandId,
    details: { agentId: e.agentId, state: e.state, ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}) },
  };
}

/**
 * Item 9 of the fleet commands: each execution's final state in the audit log, one row per
 * execution, from command's `execution.updated` events. In a queue group, so with several
 * gateway instances each row is written by one of them; rows are batched (AuditBatchWriter) so
 * a 10,000-agent command costs twenty INSERTs, not ten thousand. At shutdown the subscription is
 * drained first, then what is waiting is written (or spooled).
 */
@Injectable()
export class ExecutionAuditListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('audit');
  private readonly writer: AuditBatchWriter;
  private sub?: Subscription;
  private failing = false;

  constructor(
    @Inject(NatsClient) private readonly nats: Pick<NatsClient, 'subscribe'>,
    repo: AuditRepository,
    spool: AuditSpool,
    metrics: GatewayMetrics,
    @InjectConfig() config: Pick<GatewayConfig, 'AUDIT_BATCH_MAX_ROWS' | 'AUDIT_BATCH_FLUSH_MS'>,
  ) {
    this.writer = new AuditBatchWriter(
      {
        insertMany: (rows) => repo.insertMany(rows),
        spool,
        written: (rows) => {
          metrics.auditBatch('written', rows);
          if (this.failing) this.log.log('execution audit rows are written again');
          this.failing = false;
        },
        spooled: (rows, pending, err) => {
          metrics.auditBatch('spooled', rows);
          metrics.auditSpooled(pending);
          // One warning per outage, not one per batch.
          if (!this.failing) this.log.warn(`${rows} execution audit rows spooled for a retry: ${err.message}`);
          this.failing = true;
        },
        lost: (rows, err) => {
          metrics.auditRowLost(rows);
          this.log.error(`${rows} execution audit rows lost: the spool refused them: ${err.message}`);
        },
      },
      { maxRows: config.AUDIT_BATCH_MAX_ROWS, flushMs: config.AUDIT_BATCH_FLUSH_MS },
    );
  }

  onApplicationBootstrap(): void {
    this.sub = this.nats.subscribe(subjects.event('execution.updated'), eventSchemas['execution.updated'], (e) => this.receive(e), {
      queue: EXECUTION_AUDIT_QUEUE,
    });
  }

  receive(e: ExecutionUpdated): void {
    // The consumer span continues command's trace: the row carries the trace of the result that ended it.
    const span = trace.getActiveSpan()?.spanContext();
    const row = executionAuditRow(e, span && isSpanContextValid(span) ? span.traceId : null);
    if (row) this.writer.add(row);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.sub?.drain().catch(() => undefined);
    await this.writer.flush();
  }
}
