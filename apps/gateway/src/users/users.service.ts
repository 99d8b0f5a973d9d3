import type { z } from 'zod';
import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { Clock } from '@fleetplane/service-kit';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/principal.js';
import { SessionEnder } from '../auth/session-ender.js';
import { fieldError } from '../http/field-error.js';
import { PasswordHasher } from './password-hasher.js';
import { endsSessions } from './user-rules.js';
import { UsersRepository, type UserRow } from './users.repository.js';
import type { ChangePasswordBody, CreateUserBody, UpdateUserBody, userView } from './users.schemas.js';

/** A user as the API answers it: `userView` in users.schemas.ts, inferred. */
export type UserView = z.infer<typeof userView>;

const LAST_ADMIN = 'the last enabled admin cannot be removed, disabled or demoted';

/**
 * The user lifecycle. Every change that takes something from a user — disabling,
 * deleting, demoting, a new password, an admin ending its sessions — ends the
 * sessions it concerns at once: refresh tokens and the sessionVersion in the
 * change's own transaction (UsersRepository), then the open streams (SessionEnder).
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionEnder,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(caller: Caller, body: CreateUserBody): Promise<UserView> {
    const row = await this.users.create(body.email, await this.passwords.hash(body.password), body.role);
    if (!row) {
      await this.audit.recordFor(caller, { action: 'user.create', outcome: 'failed', target: body.email, details: { reason: 'email_taken' } });
      throw new ConflictException(`a user with email ${body.email} exists`);
    }
    await this.audit.recordFor(caller, { action: 'user.create', outcome: 'success', target: row.id, details: { email: row.email, role: row.role } });
    return toView(row);
  }

  async list(): Promise<UserView[]> {
    return (await this.users.list()).map(toView);
  }

  async update(caller: Caller, id: string, body: UpdateUserBody): Promise<UserView> {
    const entry = { action: 'user.update', target: id };
    const result = await this.users.update(id, body, this.clock.now());
    if (result.outcome === 'not_found') {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { reason: 'not_found', ...body } });
      throw new NotFoundException(`user ${id} not found`);
    }
    if (result.outcome === 'last_admin') {
      await this.audit.recordFor(caller, { ...entry, outcome: 'denied', details: { reason: 'last_admin', ...body } });
      throw new ConflictException(LAST_ADMIN);
    }
    const ended = endsSessions(result.before, body);
    if (ended) this.sessions.allEnded(id);
    await this.audit.recordFor(caller, {
      ...entry,
      outcome: 'success',
      details: {
        email: result.row.email,
        ...(body.role !== undefined ? { roleFrom: result.before.role, role: result.row.role } : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        sessionsEnded: ended,
      },
    });
    return toView(result.row);
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const entry = { action: 'user.delete', target: id };
    const result = await this.users.delete(id);
    if (result.outcome === 'not_found') {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { reason: 'not_found' } });
      throw new NotFoundException(`user ${id} not found`);
    }
    if (result.outcome === 'last_admin') {
      await this.audit.recordFor(caller, { ...entry, outcome: 'denied', details: { reason: 'last_admin' } });
      throw new ConflictException(LAST_ADMIN);
    }
    this.sessions.allEnded(id);
    await this.audit.recordFor(caller, { ...entry, outcome: 'success', details: { email: result.before.email, role: result.before.role } });
  }

  /** The caller's own password; its other sessions end, the one that asked stays. */
  async changePassword(caller: Caller, body: ChangePasswordBody): Promise<void> {
    const entry = { action: 'user.password_change', target: caller.principal.userId };
    const p = caller.principal;
    if (p.kind !== 'user') {
      await this.audit.recordFor(caller, { ...entry, outcome: 'denied', details: { reason: 'api_key' } });
      throw new ForbiddenException('only a signed-in user can change its password; an API key cannot');
    }
    const user = await this.users.findById(p.userId);
    if (!user || !(await this.passwords.verify(body.currentPassword, user.passwordHash))) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { reason: 'bad_password' } });
      throw new BadRequestException(fieldError('currentPassword', 'is not the current password'));
    }
    await this.users.setPasswordHash(user.id, await this.passwords.hash(body.newPassword));
    const revoked = await this.sessions.endOthers(user.id, p.sessionId);
    await this.audit.recordFor(caller, { ...entry, outcome: 'success', details: { otherSessionsEnded: true, revokedTokens: revoked } });
  }

  /** Every refresh token, access token and open stream of the user. */
  async endSessions(caller: Caller, id: string): Promise<void> {
    const entry = { action: 'user.sessions_revoke', target: id };
    const row = await this.users.endSessions(id, this.clock.now());
    if (!row) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { reason: 'not_found' } });
      throw new NotFoundException(`user ${id} not found`);
    }
    this.sessions.allEnded(id);
    await this.audit.recordFor(caller, { ...entry, outcome: 'success', details: { email: row.email } });
  }
}

const toView = (u: UserRow): UserView => ({
  id: u.id,
  email: u.email,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
  disabledAt: u.disabledAt?.toISOString() ?? null,
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
});
