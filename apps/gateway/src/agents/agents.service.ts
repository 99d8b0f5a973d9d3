import { BadGatewayException, Injectable } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, InjectGrpcClient, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { AuditService } from '../audit/audit.service.js';
import { failureDetails } from '../audit/failure-details.js';
import type { Caller } from '../auth/principal.js';
import { toRegistryFilter } from './agent-filters.js';
import { AgentRegistryClient } from './agent-registry.client.js';
import { toAgentView, type AgentView } from './agent-view.js';
import type { EnrollAgentBody, ListAgentsQuery } from './agents.schemas.js';

export const AGENT_HUB = 'agent-hub';

@Injectable()
export class AgentsService {
  constructor(
    @InjectGrpcClient(AGENT_HUB) private readonly hub: GrpcClient<agentHubV1.AgentHubServiceClient>,
    private readonly audit: AuditService,
    private readonly registry: AgentRegistryClient,
  ) {}

  /** The token is the agent's credential: returned once, never audited or logged. */
  async enroll(caller: Caller, body: EnrollAgentBody): Promise<{ agent: AgentView; token: string }> {
    const entry = { action: 'agent.enroll', target: body.id, details: { site: body.site ?? null } };
    try {
      const res = await this.hub.call('enrollAgent', { agentId: body.id, site: body.site ?? '', labels: body.labels ?? {} });
      if (!res.agent || !res.token) throw new UpstreamError(AGENT_HUB, 'enrollAgent', GrpcStatus.INTERNAL, 'reply without agent or token');
      await this.audit.recordFor(caller, { ...entry, outcome: 'success' });
      return { agent: toAgentView(res.agent), token: res.token };
    } catch (err) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { ...entry.details, ...failureDetails(err) } });
      throw err;
    }
  }

  async get(id: string): Promise<AgentView> {
    const res = await this.hub.call('getAgent', { agentId: id });
    if (!res.agent) throw new BadGatewayException('agent-hub returned no agent');
    return toAgentView(res.agent);
  }

  /** The total is a count of its own, asked in parallel and only with includeTotal: a page alone never pays for counting the fleet. */
  async list(q: ListAgentsQuery): Promise<{ agents: AgentView[]; nextPageToken: string | null; total: number | null }> {
    const [res, total] = await Promise.all([
      this.hub.call('listAgents', { ...toRegistryFilter(q), pageSize: q.pageSize, pageToken: q.pageToken ?? '' }),
      q.includeTotal === 'true' ? this.registry.count(q) : null,
    ]);
    return { agents: (res.agents ?? []).map(toAgentView), nextPageToken: res.nextPageToken || null, total };
  }
}
