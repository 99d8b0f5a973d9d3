import { Injectable } from '@nestjs/common';
import { keysetOrderBy, keysetWhere, type KeysetCursor } from '@fleetplane/service-kit';
import { PrismaClient, type AuditLog, type Prisma } from '../generated/prisma/client.js';
import type { AuditFilters } from './audit.schemas.js';
import type { SpooledRow } from './audit-spool.js';

export type AuditRow = AuditLog;
export type NewAuditRow = Prisma.AuditLogUncheckedCreateInput;

// Keyset paging over (at, id), newest first: stable while new rows arrive at the top.
const NEWEST_FIRST = { field: 'at', direction: 'desc' } as const;

/**
 * The Prisma `where` of a filter. Every equality filter has an index (actor, action, target,
 * outcome, command_id: each with at, id; trace_id alone; see schema.prisma), so a filtered page is an index
 * range scan in (at, id) order, and `from`/`to` bound it on the same index.
 */
export function auditWhere(f: AuditFilters): Prisma.AuditLogWhereInput {
  const at = { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.to ? { lt: new Date(f.to) } : {}) };
  return {
    ...(f.actor !== undefined ? { actor: f.actor } : {}),
    // Both given: the action must also be of that resource type (else nothing matches).
    ...(f.action !== undefined || f.resourceType !== undefined
      ? { action: { ...(f.action !== undefined ? { equals: f.action } : {}), ...(f.resourceType !== undefined ? { startsWith: `${f.resourceType}.` } : {}) } }
      : {}),
    ...(f.target !== undefined ? { target: f.target } : {}),
    ...(f.outcome !== undefined ? { outcome: f.outcome } : {}),
    ...(f.traceId !== undefined ? { traceId: f.traceId } : {}),
    ...(f.commandId !== undefined ? { commandId: f.commandId } : {}),
    ...(f.from || f.to ? { at } : {}),
  };
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: PrismaClient) {}

  /**
   * Rows of a batch, or replayed from the spool: each has its id already, so one inserted
   * before is skipped, not doubled. One `INSERT … SELECT FROM unnest` written by hand: through
   * Prisma's `createMany`, compiling and serialising a 500-row batch was a fifth of the
   * gateway's CPU while a 1,000-agent command finished.
   */
  async insertMany(rows: SpooledRow[]): Promise<void> {
    if (rows.length === 0) return;
    const col = <T>(f: (r: SpooledRow) => T) => rows.map(f);
    await this.db.$executeRaw`
      INSERT INTO audit_log (id, at, actor, actor_type, action, target, outcome, ip, trace_id, command_id, details)
      SELECT * FROM unnest(
        ${col((r) => r.id)}::uuid[], ${col((r) => r.at)}::timestamptz[], ${col((r) => r.actor ?? null)}::text[],
        ${col((r) => r.actorType ?? null)}::"ActorType"[], ${col((r) => r.action)}::text[], ${col((r) => r.target ?? null)}::text[],
        ${col((r) => r.outcome)}::"AuditOutcome"[], ${col((r) => r.ip ?? null)}::text[], ${col((r) => r.traceId ?? null)}::text[],
        ${col((r) => r.commandId ?? null)}::text[], ${col((r) => JSON.stringify(r.details ?? {}))}::jsonb[])
      ON CONFLICT (id) DO NOTHING`;
  }

  /** Newest first, matching `filters`; `after` is the (at, id) of the last row of the previous page. */
  async page(filters: AuditFilters, take: number, after?: KeysetCursor<Date>): Promise<AuditRow[]> {
    return this.db.auditLog.findMany({
      where: { AND: [auditWhere(filters), keysetWhere(after, NEWEST_FIRST)] },
      orderBy: keysetOrderBy(NEWEST_FIRST),
      take,
    });
  }
}
