/**
 * A synthetic fleet of `n` agents, the same in SQL (one INSERT … SELECT
 * generate_series, for the database) and in JS (agentAt, for what a query
 * should answer). Agent i (1-based):
 *   site par/lon/ams/nyc by i % 4; os windows when i % 10 = 0, else linux;
 *   version 1.(i % 5); capabilities exec, plus docker when i % 3 = 0;
 *   labels rack=r(i % 50), tier=web when i is even, else db;
 *   connected (a session seen now) when i % 7 = 0; otherwise never seen when
 *   i % 11 = 0, else last seen (i % 1000) minutes before SEEN_BASE; and a
 *   stale session (seen long ago, so not connected) when i % 13 = 0.
 */
export const SEEN_BASE = new Date('2026-01-01T00:00:00.000Z');

export const SITES = ['par', 'lon', 'ams', 'nyc'] as const;

export interface FleetAgent {
  id: string;
  site: string;
  os: string;
  version: string;
  capabilities: string[];
  labels: Record<string, string>;
  connected: boolean;
  lastSeenAt: Date | null;
}

export const agentId = (i: number) => `agent-${String(i).padStart(6, '0')}`;

export function agentAt(i: number, now: Date): FleetAgent {
  const connected = i % 7 === 0;
  return {
    id: agentId(i),
    site: SITES[i % 4]!,
    os: i % 10 === 0 ? 'windows' : 'linux',
    version: `1.${i % 5}`,
    capabilities: i % 3 === 0 ? ['exec', 'docker'] : ['exec'],
    labels: { rack: `r${i % 50}`, tier: i % 2 === 0 ? 'web' : 'db' },
    connected,
    lastSeenAt: connected ? now : i % 11 === 0 ? null : new Date(SEEN_BASE.getTime() - (i % 1000) * 60_000),
  };
}

/** The INSERT of agents 1..n; `$1` is "now" for the connected ones. */
export const insertFleetSql = (n: number) => `
  INSERT INTO agents (id, site, os, version, capabilities, labels, token_hash, session_id, last_seen_at, connected_at)
  SELECT 'agent-' || lpad(i::text, 6, '0'),
         (ARRAY['par', 'lon', 'ams', 'nyc'])[1 + i % 4],
         CASE WHEN i % 10 = 0 THEN 'windows' ELSE 'linux' END,
         '1.' || (i % 5),
         CASE WHEN i % 3 = 0 THEN ARRAY['exec', 'docker'] ELSE ARRAY['exec'] END,
         jsonb_build_object('rack', 'r' || (i % 50), 'tier', CASE WHEN i % 2 = 0 THEN 'web' ELSE 'db' END),
         'not-a-credential',
         CASE WHEN i % 7 = 0 THEN 'session-' || i WHEN i % 13 = 0 THEN 'stale-' || i END,
         CASE WHEN i % 7 = 0 THEN $1::timestamptz
              WHEN i % 11 = 0 THEN NULL
              ELSE '${SEEN_BASE.toISOString()}'::timestamptz - (i % 1000) * interval '1 minute' END,
         CASE WHEN i % 7 = 0 THEN $1::timestamptz END
    FROM generate_series(1, ${Math.floor(n)}) AS i`;
