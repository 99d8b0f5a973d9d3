import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { AuditLog, Prisma } from '../generated/prisma/client.js';

export type AuditRow = AuditLog;
export type NewAuditRow = Prisma.AuditLogUncheckedCreateInput;

@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(row: NewAuditRow): Promise<void> {
    await this.prisma.auditLog.create({ data: row });
  }

  /** Newest first; `after` is the (at, id) of the last row of the previous page. */
  async page(limit: number, after?: { at: Date; id: string }): Promise<AuditRow[]> {
    return this.prisma.auditLog.findMany({
      where: after ? { OR: [{ at: { lt: after.at } }, { at: after.at, id: { lt: after.id } }] } : {},
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }
}
