import { Injectable } from '@nestjs/common';
import type { Role } from '../auth/roles.js';
import type { Scope } from '../auth/scopes.js';
import { PrismaClient, type ApiKey, type User } from '../generated/prisma/client.js';

export type ApiKeyRow = ApiKey;

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: PrismaClient) {}

  create(row: { prefix: string; keyHash: string; name: string; role: Role; userId: string; scopes: Scope[]; expiresAt: Date | null }): Promise<ApiKeyRow> {
    return this.db.apiKey.create({ data: row });
  }

  findByPrefix(prefix: string): Promise<(ApiKeyRow & { user: User }) | null> {
    return this.db.apiKey.findUnique({ where: { prefix }, include: { user: true } });
  }

  findById(id: string): Promise<ApiKeyRow | null> {
    return this.db.apiKey.findUnique({ where: { id } });
  }

  list(): Promise<ApiKeyRow[]> {
    return this.db.apiKey.findMany({ orderBy: { createdAt: 'desc' } });
  }

  async revoke(id: string, now: Date): Promise<void> {
    await this.db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.db.apiKey.update({ where: { id }, data: { lastUsedAt: now } });
  }
}
