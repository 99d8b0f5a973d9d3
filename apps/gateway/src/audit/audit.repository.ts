import { Injectable } from '@nestjs/common';
import { keysetOrderBy, keysetWhere, type KeysetCursor } from '@fleetplane/service-kit';
import { PrismaClient, type AuditLog, type Prisma } from '../generated/prisma/client.js';

export type AuditRow = AuditLog;
export type NewAuditRow = Prisma.AuditLogUncheckedCreateInput;

// Keyset paging over (at, id), newest first: stable while new rows arrive at the top.
const NEWEST_FIRST = { field: 'at', direction: 'desc' } as const;

@Injectable()
export class AuditRepository {
  constructor(private readonly db: PrismaClient) {}

  async insert(row: NewAuditRow): Promise<void> {
    await this.db.auditLog.create({ data: row });
  }

  /** Newest first; `after` is the (at, id) of the last row of the previous page. */
  async page(take: number, after?: KeysetCursor<Date>): Promise<AuditRow[]> {
    return this.db.auditLog.findMany({
      where: keysetWhere(after, NEWEST_FIRST),
      orderBy: keysetOrderBy(NEWEST_FIRST),
      take,
    });
  }
}
