import { Injectable } from '@nestjs/common';
import { keysetOrderBy, keysetWhere, type KeysetCursor } from '@fleetplane/service-kit';
import { PrismaClient, type AuditLog, type Prisma } from '../generated/prisma/client.js';
import type { AuditFilters } from './audit.schemas.js';

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

  async insert(row: NewAuditRow): Promise<void> {
    await this.db.auditLog.create({ data: row });
  }

  /** Rows replayed from the spool: each has its id already, so one inserted before is skipped, not doubled. */
  async insertMany(rows: NewAuditRow[]): Promise<void> {
    await this.db.auditLog.createMany({ data: rows, skipDuplicates: true });
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
