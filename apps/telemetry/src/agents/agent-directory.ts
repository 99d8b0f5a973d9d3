import { Injectable } from '@nestjs/common';
import { agentIdSchema } from '@fleetplane/contracts';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { grpcError, GrpcStatus, InjectGrpcClient, invalidArgument, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';

export const AGENT_HUB = 'agent-hub';
const MAX_IDS = 100_000;

/** Which agents a query is about; the fields are AND-ed. */
export interface AgentSelection {
  agentIds: readonly string[];
  site: string;
  labels: Readonly<Record<string, string>>;
  all: boolean;
}

/**
 * Turns a selection into agent ids. By site, labels or `all` it asks agent-hub's registry
 * (SelectAgents, which owns who is where); a list of ids alone needs no round trip — the
 * history tables answer for the ids they hold. `field` prefixes INVALID_ARGUMENT messages.
 */
@Injectable()
export class AgentDirectory {
  constructor(@InjectGrpcClient(AGENT_HUB) private readonly registry: GrpcClient<agentHubV1.AgentRegistryServiceClient>) {}

  async resolve(sel: AgentSelection, field: string): Promise<string[]> {
    if (sel.agentIds.length > MAX_IDS) throw invalidArgument(`${field}.agent_ids`, `at most ${MAX_IDS} ids`);
    const bad = sel.agentIds.find((id) => !agentIdSchema.safeParse(id).success);
    if (bad !== undefined) throw invalidArgument(`${field}.agent_ids`, `${JSON.stringify(bad.slice(0, 80))} is not an agent id`);
    const byRegistry = sel.all || sel.site !== '' || Object.keys(sel.labels).length > 0;
    if (!byRegistry) {
      if (sel.agentIds.length === 0) throw invalidArgument(field, 'name agent_ids, a site, labels, or all');
      return [...new Set(sel.agentIds)].sort();
    }
    try {
      const pages = await this.registry.collect('selectAgents', {
        selector: {
          agentIds: [...sel.agentIds],
          site: sel.site,
          labels: { ...sel.labels },
          capabilities: [],
          os: '',
          connectedOnly: false,
          disconnectedOnly: false,
          all: sel.all,
        },
        pageSize: 1_000,
      });
      return pages.flatMap((p) => p.agents.map((a) => a.id));
    } catch (err) {
      if (err instanceof UpstreamError && err.code === GrpcStatus.INVALID_ARGUMENT) throw invalidArgument(field, err.details);
      if (err instanceof UpstreamError) throw grpcError(GrpcStatus.UNAVAILABLE, `agent-hub could not resolve the agents: ${err.details}`);
      throw err;
    }
  }
}
