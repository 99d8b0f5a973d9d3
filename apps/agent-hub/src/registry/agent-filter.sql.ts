import { Prisma } from '../generated/prisma/client.js';
import type { AgentFilter } from './agent-filter.js';
import { connectedSql } from './connected.sql.js';

/**
 * The filter as SQL conditions on `agents`, each served by an index of the
 * registry migration: equality on (column, id) btrees, labels by jsonb
 * containment and capabilities by array containment (both GIN).
 */
export function filterConditions(f: AgentFilter, connectedSince: Date): Prisma.Sql[] {
  const c: Prisma.Sql[] = [];
  if (f.agentIds) c.push(Prisma.sql`id = ANY(${f.agentIds}::text[])`);
  if (f.site !== undefined) c.push(Prisma.sql`site = ${f.site}`);
  if (f.labels && Object.keys(f.labels).length > 0) c.push(Prisma.sql`labels @> ${JSON.stringify(f.labels)}::jsonb`);
  if (f.capabilities && f.capabilities.length > 0) c.push(Prisma.sql`capabilities @> ${f.capabilities}::text[]`);
  if (f.os !== undefined) c.push(Prisma.sql`os = ${f.os}`);
  if (f.version !== undefined) c.push(Prisma.sql`version = ${f.version}`);
  if (f.connected === true) c.push(connectedSql(connectedSince));
  if (f.connected === false) c.push(Prisma.sql`NOT ${connectedSql(connectedSince)}`);
  if (f.seenBefore) c.push(Prisma.sql`last_seen_at < ${f.seenBefore}`);
  if (f.seenAfter) c.push(Prisma.sql`last_seen_at >= ${f.seenAfter}`);
  return c;
}

/** `WHERE a AND b …` (or nothing), with `id > after` for the next keyset page. */
export function whereSql(f: AgentFilter, connectedSince: Date, afterId?: string): Prisma.Sql {
  const c = filterConditions(f, connectedSince);
  if (afterId !== undefined) c.push(Prisma.sql`id > ${afterId}`);
  return c.length > 0 ? Prisma.sql`WHERE ${Prisma.join(c, ' AND ')}` : Prisma.empty;
}
