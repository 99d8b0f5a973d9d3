import { Injectable } from '@nestjs/common';
import { PrismaClient, type RefreshToken } from '../generated/prisma/client.js';

export type RefreshTokenRow = RefreshToken;

@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly db: PrismaClient) {}

  findByHash(tokenHash: string): Promise<RefreshTokenRow | null> {
    return this.db.refreshToken.findUnique({ where: { tokenHash } });
  }

  create(row: { tokenHash: string; familyId: string; userId: string; expiresAt: Date }): Promise<RefreshTokenRow> {
    return this.db.refreshToken.create({ data: row });
  }

  /**
   * Retires `oldId` and stores its successor in one transaction. False when another request
   * rotated or revoked it first (the successor is then not stored).
   */
  async rotate(oldId: string, next: { tokenHash: string; familyId: string; userId: string; expiresAt: Date }, now: Date): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const created = await tx.refreshToken.create({ data: next });
      const retired = await tx.refreshToken.updateMany({
        where: { id: oldId, replacedBy: null, revokedAt: null },
        data: { replacedBy: created.id, revokedAt: now },
      });
      if (retired.count === 1) return true;
      await tx.refreshToken.delete({ where: { id: created.id } });
      return false;
    });
  }

  /** Revokes every still-live token of the user, but for the family `keep` (the caller's own session). */
  async revokeUser(userId: string, now: Date, keep?: string): Promise<number> {
    const { count } = await this.db.refreshToken.updateMany({
      where: { userId, revokedAt: null, ...(keep ? { familyId: { not: keep } } : {}) },
      data: { revokedAt: now },
    });
    return count;
  }

  /**
   * The user's families that issued a token since `since`. An access token is issued
   * together with a refresh token of its family (login, refresh), so these are all the
   * sessions that can still hold a live access token when `since` is one access-token
   * lifetime ago.
   */
  async familiesIssuedSince(userId: string, since: Date): Promise<string[]> {
    const rows = await this.db.refreshToken.findMany({ where: { userId, createdAt: { gte: since } }, distinct: ['familyId'], select: { familyId: true } });
    return rows.map((r) => r.familyId);
  }

  /** Revokes every still-live token of a login's rotation chain. */
  async revokeFamily(familyId: string, now: Date): Promise<number> {
    const { count } = await this.db.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
    return count;
  }
}
