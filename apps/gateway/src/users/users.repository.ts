import { Injectable } from '@nestjs/common';
import type { Role } from '../auth/roles.js';
import { Prisma, PrismaClient, type User } from '../generated/prisma/client.js';
import { endsSessions, removesAnAdmin, type UserChange } from './user-rules.js';

export type UserRow = User;
type Tx = Prisma.TransactionClient;

/** The answer of a change that must not leave the gateway without an enabled admin. */
export type GuardedChange<T> = { outcome: 'not_found' } | { outcome: 'last_admin'; row: UserRow } | { outcome: 'done'; before: UserRow; row: T };

@Injectable()
export class UsersRepository {
  constructor(private readonly db: PrismaClient) {}

  findByEmail(email: string): Promise<UserRow | null> {
    return this.db.user.findUnique({ where: { email: email.toLowerCase() } });
  }

  findById(id: string): Promise<UserRow | null> {
    return this.db.user.findUnique({ where: { id } });
  }

  /** Null when the email is taken. */
  async create(email: string, passwordHash: string, role: Role): Promise<UserRow | null> {
    try {
      return await this.db.user.create({ data: { email: email.toLowerCase(), passwordHash, role } });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
      throw err;
    }
  }

  list(): Promise<UserRow[]> {
    return this.db.user.findMany({ orderBy: { createdAt: 'asc' } });
  }

  async recordLogin(id: string, now: Date): Promise<void> {
    await this.db.user.update({ where: { id }, data: { lastLoginAt: now } });
  }

  /** Swaps the hash only if it is still `old`: a password changed meanwhile is not overwritten. */
  async replacePasswordHash(id: string, old: string, next: string): Promise<boolean> {
    const { count } = await this.db.user.updateMany({ where: { id, passwordHash: old }, data: { passwordHash: next } });
    return count === 1;
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.user.update({ where: { id }, data: { passwordHash } });
  }

  /**
   * Role and/or disabled. Demoting or disabling ends every session of the user in the same
   * transaction (sessionVersion bumped, refresh tokens revoked); disabling also revokes the
   * user's API keys (a demotion only caps them, see ApiKeysService.authenticate).
   */
  update(id: string, change: UserChange, now: Date): Promise<GuardedChange<UserRow>> {
    return this.guarded(id, change, async (tx, before) => {
      const disabling = change.disabled === true && !before.disabledAt;
      const data: Prisma.UserUpdateInput = {
        ...(change.role !== undefined ? { role: change.role } : {}),
        ...(change.disabled !== undefined ? { disabledAt: change.disabled ? (before.disabledAt ?? now) : null } : {}),
      };
      if (endsSessions(before, change)) await endSessionsIn(tx, id, now);
      if (disabling) await tx.apiKey.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: now } });
      return tx.user.update({ where: { id }, data });
    });
  }

  /** Deletes the user; its refresh tokens and API keys go with it (ON DELETE CASCADE). */
  delete(id: string): Promise<GuardedChange<null>> {
    return this.guarded(id, { disabled: true }, async (tx) => {
      await tx.user.delete({ where: { id } });
      return null;
    });
  }

  /** Ends every session of the user: sessionVersion bumped and refresh tokens revoked, together. Null for an unknown id. */
  endSessions(id: string, now: Date): Promise<UserRow | null> {
    return this.db.$transaction(async (tx) => {
      if (!(await tx.user.findUnique({ where: { id }, select: { id: true } }))) return null;
      return endSessionsIn(tx, id, now);
    });
  }

  /**
   * Runs `apply` on the user unless `change` would leave no enabled admin. Every enabled
   * admin's row (and the target's) is locked first, FOR UPDATE: two admins demoting each
   * other at once queue here, and the second sees the first's change, so the check and
   * the change cannot interleave.
   */
  private guarded<T>(id: string, change: UserChange, apply: (tx: Tx, before: UserRow) => Promise<T>): Promise<GuardedChange<T>> {
    return this.db.$transaction(async (tx): Promise<GuardedChange<T>> => {
      const locked = await tx.$queryRaw<{ id: string; role: Role; disabled_at: Date | null }[]>`
        SELECT id, role, disabled_at FROM users WHERE (role = 'admin' AND disabled_at IS NULL) OR id = ${id}::uuid FOR UPDATE`;
      const before = await tx.user.findUnique({ where: { id } });
      if (!before) return { outcome: 'not_found' };
      const enabledAdmins = locked.filter((u) => u.role === 'admin' && u.disabled_at === null).length;
      if (removesAnAdmin(before, change) && enabledAdmins <= 1) return { outcome: 'last_admin', row: before };
      return { outcome: 'done', before, row: await apply(tx, before) };
    });
  }
}

async function endSessionsIn(tx: Tx, id: string, now: Date): Promise<UserRow> {
  await tx.refreshToken.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: now } });
  return tx.user.update({ where: { id }, data: { sessionVersion: { increment: 1 } } });
}
