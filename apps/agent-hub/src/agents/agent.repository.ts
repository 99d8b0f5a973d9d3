import { Injectable } from '@nestjs/common';
import type { IdCursor } from '@fleetplane/service-kit';
import { PrismaClient, type Agent } from '../generated/prisma/client.js';
import type { AgentFilter } from '../registry/agent-filter.js';
import { pageIdsSql } from '../registry/registry.repository.js';

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

/** Who holds a session: stored with it at HELLO, shown per agent. */
export interface SessionPresence {
  hubInstanceId: string;
  protocolVersion: number;
}

/** One session's last frame, for the batched last-seen write. */
export interface SeenSession {
  agentId: string;
  sessionId: string;
  at: Date;
}

export interface ListQuery {
  /** The registry's filters (registry/agent-filter.ts), AND-ed. */
  filter: AgentFilter;
  /** What "connected" is judged against (PresenceWindow.connectedSince). */
  connectedSince: Date;
  /** Where the previous page ended; agents are listed by id alone. */
  after?: IdCursor;
  limit: number;
}

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
      // An admin minting a credential re-admits a revoked agent.
      update: { tokenHash, revokedAt: null, ...(site ? { site } : {}), ...(hasLabels ? { labels } : {}) },
    });
  }

  find(id: string): Promise<AgentRow | null> {
    return this.db.agent.findUnique({ where: { id } });
  }

  async findTokenHash(id: string): Promise<string | null> {
    const row = await this.db.agent.findUnique({ where: { id }, select: { tokenHash: true } });
    return row?.tokenHash ?? null;
  }

  /**
   * One keyset page by id (stable while agents enroll): the page's ids from
   * the registry's filter SQL (jsonb and array containment have no Prisma
   * filter that uses their GIN indexes), then those rows by primary key.
   */
  async list(q: ListQuery): Promise<AgentRow[]> {
    const ids = await this.db.$queryRaw<Array<{ id: string }>>(pageIdsSql(q.filter, q.connectedSince, q.after?.id, q.limit));
    if (ids.length === 0) return [];
    return this.db.agent.findMany({ where: { id: { in: ids.map((r) => r.id) } }, orderBy: { id: 'asc' } });
  }

  /** Stores the inventory from HELLO and makes `sessionId`, held by `session.hubInstanceId`, the agent's current session. */
  async markConnected(id: string, sessionId: string, inventory: AgentInventory, at: Date, session: SessionPresence): Promise<void> {
    await this.db.agent.update({
      where: { id },
      data: { ...inventory, sessionId, connectedAt: at, lastSeenAt: at, hubInstanceId: session.hubInstanceId, protocolVersion: session.protocolVersion },
    });
  }

  /**
   * The presence flush: last-seen of many sessions in ONE statement, each row
   * written only while its session is still the agent's current one. Returns
   * the credential hash of each agent written, so the caller can tell a
   * session whose credential changed since (revoked) from a current one;
   * an agent not returned has another session now (or is gone).
   */
  async flushSeen(seen: ReadonlyArray<SeenSession>): Promise<Map<string, string | null>> {
    if (seen.length === 0) return new Map();
    const rows = await this.db.$queryRaw<Array<{ id: string; token_hash: string | null }>>`
      UPDATE agents AS a SET last_seen_at = v.at::timestamptz
      FROM unnest(${seen.map((s) => s.agentId)}::text[], ${seen.map((s) => s.sessionId)}::text[], ${seen.map((s) => s.at.toISOString())}::text[]) AS v(id, session_id, at)
      WHERE a.id = v.id AND a.session_id = v.session_id
      RETURNING a.id, a.token_hash`;
    return new Map(rows.map((r) => [r.id, r.token_hash]));
  }

  /**
   * Clears presence only if `sessionId` is still the current session: a newer
   * connection (possibly on another instance) must not be marked offline by
   * the older one closing.
   */
  async markDisconnected(id: string, sessionId: string, at: Date): Promise<boolean> {
    const r = await this.db.agent.updateMany({
      where: { id, sessionId },
      data: { sessionId: null, connectedAt: null, lastSeenAt: at, hubInstanceId: null, protocolVersion: null },
    });
    return r.count > 0;
  }
}
