import { Injectable } from '@nestjs/common';
import { keysetOrderBy, keysetWhere, type KeysetCursor } from '@fleetplane/service-kit';
import { PrismaClient, type EnrollmentToken } from '../generated/prisma/client.js';

export type EnrollmentTokenRow = EnrollmentToken;

export interface NewTokenRow {
  prefix: string;
  secretHash: string;
  site: string;
  labels: Record<string, string>;
  maxUses: number;
  allowReenroll: boolean;
  expiresAt: Date;
  createdBy: string;
}

// Newest first, ties broken by id.
const ORDER = { field: 'createdAt', direction: 'desc' } as const;

/** The enrollment_tokens table. Using a token happens in EnrollmentService's transaction. */
@Injectable()
export class EnrollmentTokenRepository {
  constructor(private readonly db: PrismaClient) {}

  create(row: NewTokenRow): Promise<EnrollmentTokenRow> {
    return this.db.enrollmentToken.create({ data: row });
  }

  list(after: KeysetCursor<string> | undefined, limit: number): Promise<EnrollmentTokenRow[]> {
    const cursor = after ? { key: new Date(after.key), id: after.id } : undefined;
    return this.db.enrollmentToken.findMany({
      where: keysetWhere(cursor, ORDER),
      orderBy: keysetOrderBy(ORDER),
      take: limit,
    });
  }

  /** Sets revokedAt once (a second revoke keeps the first instant); null for an unknown id. */
  async revoke(id: string, at: Date): Promise<EnrollmentTokenRow | null> {
    await this.db.enrollmentToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
    return this.db.enrollmentToken.findUnique({ where: { id } });
  }
}
