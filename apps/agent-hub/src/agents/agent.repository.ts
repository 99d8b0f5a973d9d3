import { Injectable } from '@nestjs/common';
import { keysetOrderBy, keysetWhere, type IdCursor } from '@fleetplane/service-kit';
import { PrismaClient, type Agent, type Prisma } from '../generated/prisma/client.js';

export type AgentRow = Agent;

export interface AgentInventory {
  site: string;
  os: string;
  kernel: string;
  version: string;
  capabilities: string[];
  containerEngine: string;
  labels: Record<string, string>;
}

export interface ListQuery {
  site?: string;
  /** Only agents holding a session seen at or after this instant. */
  connectedSince?: Date;
  /** Where the previous page ended; agents are listed by id alone. */
  after?: IdCursor;
  limit: number;
}

// By id: stable while agents enroll, and what callers have always seen.
const ORDER = { direction: 'asc' } as const;

/** The agent registry table: enrollment, inventory and presence. */
@Injectable()
export class AgentRepository {
  constructor(private readonly db: PrismaClient) {}

  /** Creates the agent, or rotates its credential; site and labels are replaced only when given. */
  enroll(id: string, tokenHash: string, site: string, labels: Record<string, string>): Promise<AgentRow> {
    const hasLabels = Object.keys(labels).length > 0;
    return this.db.agent.upsert({
      where: { id },
      create: { id, tokenHash, site, labels },
      update: { tokenHash, ...(site ? { site } : {}), ...(hasLabels ? { labels } : {}) },
    });
  }

  find(id: string): Promise<AgentRow | null> {
    return this.db.agent.findUnique({ where: { id } });
  }

  async findTokenHash(id: string): Promise<string | null> {
    const row = await this.db.agent.findUnique({ where: { id }, select: { tokenHash: true } });
    return row?.tokenHash ?? null;
  }

  list(q: ListQuery): Promise<AgentRow[]> {
    const where: Prisma.AgentWhereInput = {
      ...(q.site ? { site: q.site } : {}),
      ...(q.connectedSince ? { sessionId: { not: null }, lastSeenAt: { gte: q.connectedSince } } : {}),
      ...(keysetWhere(q.after, ORDER) as Prisma.AgentWhereInput),
    };
    return this.db.agent.findMany({ where, orderBy: keysetOrderBy(ORDER), take: q.limit });
  }

  /** Stores the inventory from HELLO and makes `sessionId` the agent's current session. */
  async markConnected(id: string, sessionId: string, inventory: AgentInventory, at: Date): Promise<void> {
    await this.db.agent.update({
      where: { id },
      data: { ...inventory, sessionId, connectedAt: at, lastSeenAt: at },
    });
  }

  /**
   * Refreshes lastSeenAt while `sessionId` is still the current session and the
   * credential is still `tokenHash`; otherwise says which of the two changed.
   */
  async markSeen(id: string, sessionId: string, tokenHash: string, at: Date): Promise<'current' | 'superseded' | 'revoked'> {
    const r = await this.db.agent.updateMany({ where: { id, sessionId, tokenHash }, data: { lastSeenAt: at } });
    if (r.count > 0) return 'current';
    const row = await this.db.agent.findUnique({ where: { id }, select: { sessionId: true } });
    return row?.sessionId === sessionId ? 'revoked' : 'superseded';
  }

  /**
   * Clears presence only if `sessionId` is still the current session: a newer
   * connection (possibly on another instance) must not be marked offline by
   * the older one closing.
   */
  async markDisconnected(id: string, sessionId: string, at: Date): Promise<boolean> {
    const r = await this.db.agent.updateMany({
      where: { id, sessionId },
      data: { sessionId: null, connectedAt: null, lastSeenAt: at },
    });
    return r.count > 0;
  }
}
