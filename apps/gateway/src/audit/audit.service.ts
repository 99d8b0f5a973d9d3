import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { z } from 'zod';
import { Clock, Coalescer, InvalidPageTokenError, PageTokenCodec, pageSize, takePage } from '@fleetplane/service-kit';
import type { Caller, Principal } from '../auth/principal.js';
import { actorId } from '../auth/principal.js';
import { fieldError } from '../http/field-error.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { AuditRepository, type AuditRow } from './audit.repository.js';
import { AuditSpool, type SpooledRow } from './audit-spool.js';
import { csvHeader, csvLine, ndjsonLine } from './audit-export.js';
import type { AUDIT_OUTCOMES, AuditExportQuery, AuditFilters, AuditQuery, auditEntryView } from './audit.schemas.js';

export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  /** Who did it; absent when the caller is not known (a failed login). */
  principal?: Principal | undefined;
  /** A user id for a caller known only by the user (login, refresh). */
  userId?: string | undefined;
  ip: string | null;
  target?: string | undefined;
  /** The command it is about; default: see commandIdOf. */
  commandId?: string | undefined;
  /** Never secrets: no passwords, tokens or keys. */
  details?: Record<string, string | number | boolean | null | string[]>;
}

/** An audit row as the API answers it: `auditEntryView` in audit.schemas.ts, inferred. */
export type AuditView = z.infer<typeof auditEntryView>;

/** The (at, id) of the last entry of a page. */
const pageTokens = new PageTokenCodec(z.object({ key: z.coerce.date(), id: z.uuid() }), 'the audit log');

@Injectable()
export class AuditService {
  private readonly log = new Logger('audit');
  /**
   * The rows of concurrent requests share one `INSERT … SELECT FROM unnest` (a lone row goes at
   * the end of the event loop's turn, rows arriving during an insert go in the next one): under
   * load a POST no longer pays for its own Prisma `create`. Each request still waits for its row.
   */
  private readonly inserts: Coalescer<SpooledRow, void>;

  constructor(
    private readonly repo: AuditRepository,
    private readonly spool: AuditSpool,
    private readonly metrics: GatewayMetrics,
    private readonly clock: Clock,
  ) {
    this.inserts = new Coalescer((rows) => this.repo.insertMany(rows).then(() => rows.map(() => undefined)), { maxSize: 500 });
  }

  /**
   * Writes one audit row with the current trace id. A failed write does not fail the request
   * (the mutation it describes has already happened elsewhere): the row goes to the local spool,
   * with its id and time, and AuditReplayer writes it once the database takes it again.
   */
  async record(entry: AuditEntry): Promise<void> {
    const span = trace.getActiveSpan()?.spanContext();
    const actor = entry.principal ? actorId(entry.principal) : (entry.userId ?? null);
    const actorType = entry.principal ? entry.principal.kind : entry.userId ? 'user' : null;
    const row: SpooledRow = {
      id: randomUUID(),
      at: this.clock.now(),
      action: entry.action,
      outcome: entry.outcome,
      actor,
      actorType,
      ip: entry.ip,
      target: entry.target ?? null,
      traceId: span && isSpanContextValid(span) ? span.traceId : null,
      commandId: commandIdOf(entry),
      details: entry.details ?? {},
    };
    try {
      await this.inserts.run(row);
    } catch (err) {
      this.metrics.auditWriteFailed();
      this.log.warn(`audit row for ${entry.action} (${entry.outcome}) spooled for a retry: ${(err as Error).message}`);
      await this.spool.append(row).then(
        () => this.metrics.auditSpooled(this.spool.pendingRows),
        (spoolErr: Error) => {
          this.metrics.auditRowLost();
          this.log.error(`audit row ${row.id} for ${entry.action} (${entry.outcome}) lost: the spool refused it: ${spoolErr.message}`);
        },
      );
    }
  }

  async recordFor(caller: Caller, entry: Omit<AuditEntry, 'principal' | 'ip'>): Promise<void> {
    await this.record({ ...entry, principal: caller.principal, ip: caller.ip });
  }

  /** Newest first, matching the filters, `pageSize` entries (default 50, at most 500) after the page `pageToken` ended. */
  async list(q: AuditQuery): Promise<{ entries: AuditView[]; nextPageToken: string | null }> {
    const { pageSize: requested, pageToken, ...filters } = q;
    const size = pageSize(requested);
    const scope = filterScope(filters);
    const rows = await this.repo.page(filters, size + 1, decodePageToken(pageToken, scope));
    const page = takePage(rows, size, (last) => ({ key: last.at, id: last.id }));
    return { entries: page.items.map(toView), nextPageToken: page.next ? pageTokens.encode(page.next, scope) : null };
  }

  /**
   * The whole filtered log, newest first, as NDJSON lines or CSV records (header first). Rows are
   * read in keyset batches only as the consumer pulls (a Readable over this generator stops
   * reading while the socket is full), so memory stays at one batch whatever the log's size.
   */
  async *export(q: AuditExportQuery, batch = EXPORT_BATCH): AsyncGenerator<string> {
    const { format, ...filters } = q;
    const line = format === 'csv' ? csvLine : ndjsonLine;
    if (format === 'csv') yield csvHeader();
    let after: { key: Date; id: string } | undefined;
    for (;;) {
      const rows = await this.repo.page(filters, batch, after);
      if (rows.length > 0) yield rows.map((r) => line(toView(r))).join('');
      if (rows.length < batch) return;
      const last = rows[rows.length - 1]!;
      after = { key: last.at, id: last.id };
    }
  }
}

/**
 * The command a row is filed under for GET /audit?commandId=: the entry's own `commandId`, else
 * the target of a `command.*` action, else a `commandId` in its details (`execution.cancel`).
 */
export function commandIdOf(entry: Pick<AuditEntry, 'action' | 'target' | 'commandId' | 'details'>): string | null {
  if (entry.commandId !== undefined) return entry.commandId;
  if (entry.action.startsWith('command.') && entry.target !== undefined) return entry.target;
  const fromDetails = entry.details?.commandId;
  return typeof fromDetails === 'string' ? fromDetails : null;
}

/** Rows per database read of an export. */
const EXPORT_BATCH = 500;

/**
 * The page token's scope: a digest of the filters in a fixed order, so a token only continues the
 * listing it came from (another filter → 400) and its length does not grow with the filters.
 */
export function filterScope(f: AuditFilters): string {
  const canonical = [
    f.actor,
    f.action,
    f.resourceType,
    f.target,
    f.outcome,
    f.from && new Date(f.from).toISOString(),
    f.to && new Date(f.to).toISOString(),
    f.traceId,
    // Only when given, so the tokens of listings without it keep their scope.
    ...(f.commandId !== undefined ? [f.commandId] : []),
  ];
  if (canonical.every((v) => v === undefined)) return '';
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

function decodePageToken(token: string | undefined, scope: string) {
  try {
    return pageTokens.decode(token, scope);
  } catch (err) {
    if (err instanceof InvalidPageTokenError) throw new BadRequestException(fieldError('pageToken', err.message));
    throw err;
  }
}

function toView(row: AuditRow): AuditView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    actorType: row.actorType,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    ip: row.ip,
    traceId: row.traceId,
    commandId: row.commandId,
    details: row.details,
  };
}
