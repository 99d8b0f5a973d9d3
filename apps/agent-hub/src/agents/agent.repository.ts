import { Injectable } from '@nestjs/common';
import { Coalescer, type IdCursor } from '@fleetplane/service-kit';
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

/** A HELLO's write: the inventory it reported and the session it opens. */
interface ConnectWrite {
  id: string;
  sessionId: string;
  inventory: AgentInventory;
  at: Date;
  session: SessionPresence;
}

/**
 * HELLOs handled at once share a statement (admission control lets at most
 * MAX_CONCURRENT_HELLOS run, 256 by default); more go in the next one.
 */
const HELLO_BATCH = 256;

/** The agent registry table: enrollment, inventory and presence. */
@Injectable()
export class AgentRepository {
  /**
   * A reconnecting fleet's HELLOs arrive by the thousand: their credential
   * reads and connect writes are gathered into one SELECT and one UPDATE per
   * turn of the event loop (a lone HELLO waits for nothing), instead of two
   * Prisma round trips each, which is what bounded how fast a hub took a fleet back.
   */
  private readonly tokenReads = new Coalescer<string, string | null>((ids) => this.tokenHashesOf(ids), { maxSize: HELLO_BATCH });
  private readonly connectWrites = new Coalescer<ConnectWrite, boolean>((writes) => this.writeConnects(writes), { maxSize: HELLO_BATCH });

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

  /** The agent's credential hash (null: unknown agent, or revoked); batched with concurrent calls. */
  findTokenHash(id: string): Promise<string | null> {
    return this.tokenReads.run(id);
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

  /**
   * Stores the inventory from HELLO and makes `sessionId`, held by
   * `session.hubInstanceId`, the agent's current session; batched with
   * concurrent calls. Throws when the agent is gone (deleted since its HELLO was checked).
   */
  async markConnected(id: string, sessionId: string, inventory: AgentInventory, at: Date, session: SessionPresence): Promise<void> {
    if (!(await this.connectWrites.run({ id, sessionId, inventory, at, session }))) throw new Error(`agent ${id} is no longer enrolled`);
  }

  private async tokenHashesOf(ids: string[]): Promise<Array<string | null>> {
    const rows = await this.db.$queryRaw<Array<{ id: string; token_hash: string }>>`
      SELECT id, token_hash FROM agents WHERE id = ANY(${[...new Set(ids)]}::text[])`;
    const byId = new Map(rows.map((r) => [r.id, r.token_hash]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * One UPDATE for a batch of HELLOs. Two HELLOs of the same agent in one
   * batch: the later one's session is written (as two UPDATEs in arrival order
   * would leave it); the earlier is closed by the later's `agent.connected`.
   */
  private async writeConnects(writes: ConnectWrite[]): Promise<boolean[]> {
    const last = new Map(writes.map((w) => [w.id, w]));
    const rows = [...last.values()].map((w) => ({
      id: w.id,
      site: w.inventory.site,
      os: w.inventory.os,
      kernel: w.inventory.kernel,
      version: w.inventory.version,
      capabilities: w.inventory.capabilities,
      container_engine: w.inventory.containerEngine,
      labels: w.inventory.labels,
      session_id: w.sessionId,
      at: w.at.toISOString(),
      hub_instance_id: w.session.hubInstanceId,
      protocol_version: w.session.protocolVersion,
    }));
    const written = await this.db.$queryRaw<Array<{ id: string }>>`
      UPDATE agents AS a
      SET site = v.site, os = v.os, kernel = v.kernel, version = v.version,
          capabilities = ARRAY(SELECT jsonb_array_elements_text(v.capabilities)),
          container_engine = v.container_engine, labels = v.labels,
          session_id = v.session_id, connected_at = v.at, last_seen_at = v.at,
          hub_instance_id = v.hub_instance_id, protocol_version = v.protocol_version
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(
        id text, site text, os text, kernel text, version text, capabilities jsonb, container_engine text,
        labels jsonb, session_id text, at timestamptz, hub_instance_id text, protocol_version int)
      WHERE a.id = v.id
      RETURNING a.id`;
    const ok = new Set(written.map((r) => r.id));
    return writes.map((w) => ok.has(w.id));
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
