import { Injectable } from '@nestjs/common';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { InjectGrpcClient, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { toRegistryFilter } from './agent-filters.js';
import type { AgentSummary } from './agent-filters.schemas.js';
import type { ListAgentsQuery } from './agents.schemas.js';

/** agent-hub under the name its other routes use: errors and metrics say "agent-hub". */
export const AGENT_REGISTRY = 'agent-hub';

/** agent-hub's AgentRegistryService: counts and the summary behind GET /agents. */
@Injectable()
export class AgentRegistryClient {
  constructor(@InjectGrpcClient(AGENT_REGISTRY) private readonly registry: GrpcClient<agentHubV1.AgentRegistryServiceClient>) {}

  async count(q: ListAgentsQuery): Promise<number> {
    const res = await this.registry.call('countAgents', { ...toRegistryFilter(q), pageSize: 0, pageToken: '' });
    return res.total ?? 0;
  }

  async summary(): Promise<AgentSummary> {
    const res = await this.registry.call('summarizeAgents', {});
    const total = res.agents?.total ?? 0;
    const connected = res.agents?.connected ?? 0;
    const groups = <K extends string>(key: K, g: agentHubV1.AgentSummaryGroup[] | undefined) =>
      (g ?? []).map((x) => ({ [key]: x.key, total: x.total, connected: x.connected }) as Record<K, string> & { total: number; connected: number });
    return {
      total,
      connected,
      disconnected: total - connected,
      bySite: groups('site', res.bySite),
      byOs: groups('os', res.byOs),
      byVersion: groups('version', res.byVersion),
      generatedAt: res.generatedAt,
    };
  }
}
