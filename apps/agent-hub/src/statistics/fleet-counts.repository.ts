import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';

/** One group of the GROUPING SETS query: the whole fleet, one site or one os (`key`, '' for agents without one). */
export interface FleetCountRow {
  grouping: 'fleet' | 'site' | 'os';
  key: string;
  total: number;
  connected: number;
}

interface RawRow {
  by_site: boolean;
  by_os: boolean;
  site: string | null;
  os: string | null;
  total: number;
  connected: number;
}

/** Agent counts straight from PostgreSQL: one scan of `agents`, no rows loaded. */
@Injectable()
export class FleetCountsRepository {
  constructor(private readonly db: PrismaClient) {}

  /**
   * Totals for the fleet, each site and each os in one pass (GROUPING SETS).
   * "Connected" is the rule of Agent.connected (agents/agent-view.ts
   * isConnected): a session, seen at or after `connectedSince`. No index
   * serves it on purpose: last_seen_at changes on every heartbeat, and an index
   * on it would turn those cheap HOT updates into index writes; counting a
   * fleet is one sequential scan of a narrow table.
   */
  async count(connectedSince: Date): Promise<FleetCountRow[]> {
    const rows = await this.db.$queryRaw<RawRow[]>`
      SELECT GROUPING(site) = 0 AS by_site,
             GROUPING(os) = 0 AS by_os,
             site,
             os,
             count(*)::int AS total,
             (count(*) FILTER (WHERE session_id IS NOT NULL AND last_seen_at >= ${connectedSince}))::int AS connected
        FROM agents
       GROUP BY GROUPING SETS ((), (site), (os))`;
    return rows.map((r) => ({
      grouping: r.by_site ? 'site' : r.by_os ? 'os' : 'fleet',
      key: (r.by_site ? r.site : r.os) ?? '',
      total: r.total,
      connected: r.connected,
    }));
  }
}
