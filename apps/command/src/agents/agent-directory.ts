import { Injectable } from '@nestjs/common';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, InjectGrpcClient, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';

/** The upstream name of agent-hub's registry client (metrics, logs, errors). */
export const AGENT_HUB = 'agent-hub';

/** What a submit needs of a target: the verbs it announced and whether it is connected now. */
export interface TargetAgent {
  id: string;
  capabilities: string[];
  connected: boolean;
}

/** agent-hub could not answer (down, unreachable, too slow): the caller should retry later. */
export class AgentHubUnavailableError extends Error {
  override name = 'AgentHubUnavailableError';
}

/** Agents matching a selector per streamed message; the hub's maximum. */
const PAGE = 1_000;

/**
 * The agent registry as agent-hub answers it: a selector (or a list of ids)
 * resolved in one streaming call, paged by the hub, never one call per agent.
 */
@Injectable()
export class AgentDirectory {
  constructor(@InjectGrpcClient(AGENT_HUB) private readonly registry: GrpcClient<agentHubV1.AgentRegistryServiceClient>) {}

  async select(selector: agentHubV1.AgentSelector): Promise<TargetAgent[]> {
    const agents: TargetAgent[] = [];
    try {
      for (const page of await this.registry.collect('selectAgents', { selector, pageSize: PAGE })) {
        for (const a of page.agents) agents.push({ id: a.id, capabilities: a.capabilities, connected: a.connected });
      }
    } catch (err) {
      if (err instanceof UpstreamError && err.code === GrpcStatus.INVALID_ARGUMENT) throw err;
      throw new AgentHubUnavailableError(`agent-hub unavailable: ${(err as Error).message}`);
    }
    return agents;
  }
}
