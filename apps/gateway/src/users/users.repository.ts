import { Injectable } from '@nestjs/common';
import type { Role } from '../auth/roles.js';
import { Prisma, PrismaClient, type User } from '../generated/prisma/client.js';

export type UserRow = User;

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
}
