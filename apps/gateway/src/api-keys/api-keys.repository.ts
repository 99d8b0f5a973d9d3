import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { ApiKey, User } from '../generated/prisma/client.js';
import type { Role } from '../auth/roles.js';

export type ApiKeyRow = ApiKey;

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(row: { prefix: string; keyHash: string; name: string; role: Role; userId: string }): Promise<ApiKeyRow> {
    return this.prisma.apiKey.create({ data: row });
  }

  findByPrefix(prefix: string): Promise<(ApiKeyRow & { user: User }) | null> {
    return this.prisma.apiKey.findUnique({ where: { prefix }, include: { user: true } });
  }

  findById(id: string): Promise<ApiKeyRow | null> {
    return this.prisma.apiKey.findUnique({ where: { id } });
  }

  list(): Promise<ApiKeyRow[]> {
    return this.prisma.apiKey.findMany({ orderBy: { createdAt: 'desc' } });
  }

  async revoke(id: string, now: Date): Promise<void> {
    await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: now } });
  }
}
