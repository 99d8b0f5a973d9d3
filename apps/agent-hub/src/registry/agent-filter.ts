import { createHash } from 'node:crypto';

/**
 * Which agents a listing, count or select is about: every field given must
 * hold (AND), an absent field matches every agent. The one shape the gRPC
 * requests are parsed into (registry-requests.ts) and the SQL is built from
 * (agent-filter.sql.ts).
 */
export interface AgentFilter {
  agentIds?: string[];
  site?: string;
  /** Each label present with exactly that value. */
  labels?: Record<string, string>;
  /** Each capability present. */
  capabilities?: string[];
  os?: string;
  version?: string;
  /** true: connected agents only; false: disconnected only (see connected.sql.ts). */
  connected?: boolean;
  /** Last seen strictly before this instant (never-seen agents do not match). */
  seenBefore?: Date;
  /** Last seen at or after this instant. */
  seenAfter?: Date;
}

/** The filter with labels and lists in one order, so equal filters serialise equally. */
export function canonicalFilter(f: AgentFilter): AgentFilter {
  return {
    ...f,
    ...(f.agentIds ? { agentIds: [...new Set(f.agentIds)].sort() } : {}),
    ...(f.labels ? { labels: Object.fromEntries(Object.entries(f.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) } : {}),
    ...(f.capabilities ? { capabilities: [...new Set(f.capabilities)].sort() } : {}),
  };
}

/**
 * The page-token scope of a filtered listing: a digest rather than the filter
 * itself, so a token stays short however many labels the filter names, and a
 * token issued for one filter is refused for any other.
 */
export function filterScope(f: AgentFilter): string {
  const c = canonicalFilter(f);
  // Every field in one order (JSON.stringify keeps insertion order).
  const plain = [c.agentIds, c.site, c.labels, c.capabilities, c.os, c.version, c.connected, c.seenBefore?.toISOString(), c.seenAfter?.toISOString()];
  return createHash('sha256').update(JSON.stringify(plain)).digest('base64url').slice(0, 22);
}
