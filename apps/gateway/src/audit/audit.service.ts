import { Injectable, Logger } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Caller, Principal } from '../auth/principal.js';
import { actorId } from '../auth/principal.js';
import { auditWriteFailures } from '../metrics.js';
import { AuditRepository, type AuditRow } from './audit.repository.js';
import { decodeCursor, encodeCursor } from './audit-cursor.js';

export type AuditOutcome = 'success' | 'denied' | 'failed';

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  /** Who did it; absent when the caller is not known (a failed login). */
  principal?: Principal | undefined;
  /** A user id for a caller known only by the user (login, refresh). */
  userId?: string | undefined;
  ip: string | null;
  target?: string | undefined;
  /** Never secrets: no passwords, tokens or keys. */
  details?: Record<string, string | number | boolean | null | string[]>;
}

export interface AuditView {
  id: string;
  at: string;
  actor: string | null;
  actorType: 'user' | 'api_key' | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  ip: string | null;
  traceId: string | null;
  details: unknown;
}

@Injectable()
export class AuditService {
  private readonly log = new Logger('audit');

  constructor(private readonly repo: AuditRepository) {}

  /**
   * Writes one audit row with the current trace id. A failed write is logged and counted but
   * does not fail the request: the mutation it describes has already happened elsewhere.
   */
  async record(entry: AuditEntry): Promise<void> {
    const span = trace.getActiveSpan()?.spanContext();
    const actor = entry.principal ? actorId(entry.principal) : (entry.userId ?? null);
    const actorType = entry.principal ? entry.principal.kind : entry.userId ? 'user' : null;
    try {
      await this.repo.insert({
        action: entry.action,
        outcome: entry.outcome,
        actor,
        actorType,
        ip: entry.ip,
        target: entry.target ?? null,
        traceId: span && isSpanContextValid(span) ? span.traceId : null,
        details: entry.details ?? {},
      });
    } catch (err) {
      auditWriteFailures.inc();
      this.log.error(`audit row for ${entry.action} (${entry.outcome}) not written: ${(err as Error).message}`);
    }
  }

  async recordFor(caller: Caller, entry: Omit<AuditEntry, 'principal' | 'ip'>): Promise<void> {
    await this.record({ ...entry, principal: caller.principal, ip: caller.ip });
  }

  async list(pageSize: number, pageToken?: string): Promise<{ entries: AuditView[]; nextPageToken: string | null }> {
    const rows = await this.repo.page(pageSize + 1, pageToken ? decodeCursor(pageToken) : undefined);
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    return {
      entries: page.map(toView),
      nextPageToken: rows.length > pageSize && last ? encodeCursor({ at: last.at, id: last.id }) : null,
    };
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
    details: row.details,
  };
}
