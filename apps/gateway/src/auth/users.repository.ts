import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { Prisma, type User } from '../generated/prisma/client.js';
import type { Role } from './roles.js';

export type UserRow = User;

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  findByEmail(email: string): Promise<UserRow | null> {
    return this.prisma.user.findUnique({ where: { email: email.toLowerCase() } });
  }

  findById(id: string): Promise<UserRow | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  /** Null when the email is taken. */
  async create(email: string, passwordHash: string, role: Role): Promise<UserRow | null> {
    try {
      return await this.prisma.user.create({ data: { email: email.toLowerCase(), passwordHash, role } });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
      throw err;
    }
  }

  list(): Promise<UserRow[]> {
    return this.prisma.user.findMany({ orderBy: { createdAt: 'asc' } });
  }
}
