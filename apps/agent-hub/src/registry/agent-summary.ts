import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { SummaryRow } from './registry.repository.js';

const largestFirst = (a: agentHubV1.AgentSummaryGroup, b: agentHubV1.AgentSummaryGroup) => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const groups = (rows: SummaryRow[], grouping: SummaryRow['grouping']): agentHubV1.AgentSummaryGroup[] =>
  rows
    .filter((r) => r.grouping === grouping)
    .map(({ key, total, connected }) => ({ key, total, connected }))
    .sort(largestFirst);

/** SummarizeAgents' answer from the query's rows: largest group first, then by key; an empty fleet is all zeros. */
export function toAgentSummary(rows: SummaryRow[], generatedAt: Date): agentHubV1.SummarizeAgentsResponse {
  const fleet = rows.find((r) => r.grouping === 'fleet');
  return {
    agents: { total: fleet?.total ?? 0, connected: fleet?.connected ?? 0 },
    bySite: groups(rows, 'site'),
    byOs: groups(rows, 'os'),
    byVersion: groups(rows, 'version'),
    generatedAt: generatedAt.toISOString(),
  };
}
