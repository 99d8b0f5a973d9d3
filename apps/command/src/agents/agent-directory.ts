import { Injectable } from '@nestjs/common';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, InjectGrpcClient, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';

/** The upstream name of agent-hub's gRPC client (metrics, logs, errors). */
export const AGENT_HUB = 'agent-hub';

export type AgentLookup = 'found' | 'not_found';

/** agent-hub could not answer (down, unreachable, too slow): the caller should retry later. */
export class AgentHubUnavailableError extends Error {
  override name = 'AgentHubUnavailableError';
}

/** Whether agents are enrolled, asked of agent-hub (the registry's owner) over gRPC. */
@Injectable()
export class AgentDirectory {
  constructor(@InjectGrpcClient(AGENT_HUB) private readonly hub: GrpcClient<agentHubV1.AgentHubServiceClient>) {}

  async lookup(agentId: string): Promise<AgentLookup> {
    try {
      await this.hub.call('getAgent', { agentId });
      return 'found';
    } catch (err) {
      if (err instanceof UpstreamError && err.code === GrpcStatus.NOT_FOUND) return 'not_found';
      throw new AgentHubUnavailableError(`agent-hub unavailable: ${(err as Error).message}`);
    }
  }
}
