import { Injectable } from '@nestjs/common';
import { PrismaClient, type Agent } from '../generated/prisma/client.js';

/**
 * The stored credential hash of a revoked agent. No SHA-256 hex digest is
 * empty, so every HELLO and heartbeat check against it fails (see
 * agents/credentials.ts): revocation needs nothing from the protocol code.
 */
export const REVOKED_TOKEN_HASH = '';

/** The ends of an agent's access: revoke keeps the row (and says so), delete removes it. */
@Injectable()
export class AgentAccessRepository {
  constructor(private readonly db: PrismaClient) {}

  /** Null for an unknown agent. A second revoke keeps the first instant. */
  async revoke(id: string, at: Date): Promise<Agent | null> {
    await this.db.agent.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at, tokenHash: REVOKED_TOKEN_HASH } });
    return this.db.agent.findUnique({ where: { id } });
  }

  /** False for an unknown agent. */
  async delete(id: string): Promise<boolean> {
    const r = await this.db.agent.deleteMany({ where: { id } });
    return r.count > 0;
  }
}
