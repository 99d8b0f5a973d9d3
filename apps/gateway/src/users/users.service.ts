import type { z } from 'zod';
import { ConflictException, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/principal.js';
import { PasswordHasher } from './password-hasher.js';
import { UsersRepository, type UserRow } from './users.repository.js';
import type { CreateUserBody, userView } from './users.schemas.js';

/** A user as the API answers it: `userView` in users.schemas.ts, inferred. */
export type UserView = z.infer<typeof userView>;

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    private readonly audit: AuditService,
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
}

const toView = (u: UserRow): UserView => ({
  id: u.id,
  email: u.email,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
  disabledAt: u.disabledAt?.toISOString() ?? null,
});
