import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { AgentFilter } from './agent-filter.js';
import { whereSql } from './agent-filter.sql.js';
import { connectedSql } from './connected.sql.js';

/** One group of the summary's GROUPING SETS: the fleet, or one site, os or version (`key`, '' for none). */
export interface SummaryRow {
  grouping: 'fleet' | 'site' | 'os' | 'version';
  key: string;
  total: number;
  connected: number;
}

/** What SelectAgents streams of an agent: what a command dispatcher needs. */
export interface SelectedRow {
  id: string;
  site: string;
  capabilities: string[];
  connected: boolean;
}

interface RawSummaryRow {
  by_site: boolean;
  by_os: boolean;
  by_version: boolean;
  key: string | null;
  total: number;
  connected: number;
}

/**
 * The ids of one keyset page of a filtered listing, in id order. Ids only:
 * the rows themselves are then read by primary key through Prisma, so the
 * listing never has to spell out (and keep up with) the table's columns.
 */
export const pageIdsSql = (f: AgentFilter, connectedSince: Date, afterId: string | undefined, limit: number): Prisma.Sql =>
  Prisma.sql`SELECT id FROM agents ${whereSql(f, connectedSince, afterId)} ORDER BY id LIMIT ${limit}`;

/** Registry queries over `agents` in SQL: counts and selects at fleet scale, never loading the fleet. */
@Injectable()
export class RegistryRepository {
  constructor(private readonly db: PrismaClient) {}

  async count(f: AgentFilter, connectedSince: Date): Promise<number> {
    const [row] = await this.db.$queryRaw<Array<{ total: number }>>`SELECT count(*)::int AS total FROM agents ${whereSql(f, connectedSince)}`;
    return row?.total ?? 0;
  }

  /** The fleet, each site, os and version with how many are connected: one scan (GROUPING SETS). */
  async summarize(connectedSince: Date): Promise<SummaryRow[]> {
    const rows = await this.db.$queryRaw<RawSummaryRow[]>`
      SELECT GROUPING(site) = 0 AS by_site,
             GROUPING(os) = 0 AS by_os,
             GROUPING(version) = 0 AS by_version,
             COALESCE(site, os, version) AS key,
             count(*)::int AS total,
             (count(*) FILTER (WHERE ${connectedSql(connectedSince)}))::int AS connected
        FROM agents
       GROUP BY GROUPING SETS ((), (site), (os), (version))`;
    return rows.map((r) => ({
      grouping: r.by_site ? 'site' : r.by_os ? 'os' : r.by_version ? 'version' : 'fleet',
      key: r.key ?? '',
      total: r.total,
      connected: r.connected,
    }));
  }

  /** One page of SelectAgents after `afterId`, in id order. */
  selectPage(f: AgentFilter, connectedSince: Date, afterId: string | undefined, limit: number): Promise<SelectedRow[]> {
    return this.db.$queryRaw<SelectedRow[]>`
      SELECT id, site, COALESCE(capabilities, '{}') AS capabilities, ${connectedSql(connectedSince)} AS connected
        FROM agents ${whereSql(f, connectedSince, afterId)}
       ORDER BY id
       LIMIT ${limit}`;
  }
}
