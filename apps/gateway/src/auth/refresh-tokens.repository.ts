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

  /** Revokes every still-live token of a login's rotation chain. */
  async revokeFamily(familyId: string, now: Date): Promise<number> {
    const { count } = await this.db.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
    return count;
  }
}
