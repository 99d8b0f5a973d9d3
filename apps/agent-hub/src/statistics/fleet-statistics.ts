import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { FleetCountRow } from './fleet-counts.repository.js';

const largestFirst = (a: agentHubV1.AgentGroupCount, b: agentHubV1.AgentGroupCount) => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const groups = (rows: FleetCountRow[], grouping: 'site' | 'os'): agentHubV1.AgentGroupCount[] =>
  rows
    .filter((r) => r.grouping === grouping)
    .map(({ key, total, connected }) => ({ key, total, connected }))
    .sort(largestFirst);

/** The RPC's answer from the query's rows: largest group first, then by key; an empty fleet is all zeros. */
export function toFleetStatistics(rows: FleetCountRow[], generatedAt: Date): agentHubV1.GetFleetStatisticsResponse {
  const fleet = rows.find((r) => r.grouping === 'fleet');
  return {
    agents: { total: fleet?.total ?? 0, connected: fleet?.connected ?? 0 },
    bySite: groups(rows, 'site'),
    byOs: groups(rows, 'os'),
    generatedAt: generatedAt.toISOString(),
  };
}
