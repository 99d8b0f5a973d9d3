import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { ListAgentsQuery } from './agents.schemas.js';

type RegistryFilter = Omit<agentHubV1.ListAgentsRequest, 'pageSize' | 'pageToken'>;

/** GET /agents' filter parameters as ListAgentsRequest/CountAgents fields (proto3: '' and [] mean "any"). */
export function toRegistryFilter(q: ListAgentsQuery): RegistryFilter {
  return {
    site: q.site ?? '',
    labels: q.label ?? {},
    capabilities: q.capability ?? [],
    os: q.os ?? '',
    version: q.version ?? '',
    connectedOnly: q.connected === 'true',
    disconnectedOnly: q.connected === 'false',
    lastSeenBefore: q.seenBefore ?? '',
    lastSeenAfter: q.seenAfter ?? '',
  };
}
