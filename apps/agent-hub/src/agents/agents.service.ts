import { Injectable } from '@nestjs/common';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { invalidArgument, notFound } from '@fleetplane/service-kit';
import { AgentRepository } from './agent.repository.js';
import { toAgentMessage } from './agent-view.js';
import { hashAgentToken, newAgentToken } from './credentials.js';
import { DEFAULT_PAGE_SIZE, enrollRequestSchema, getRequestSchema, listRequestSchema, MAX_PAGE_SIZE, parseRequest } from './agent-requests.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { PresenceWindow } from './presence-window.js';

/** Enrollment and registry queries behind the gRPC API. */
@Injectable()
export class AgentsService {
  constructor(
    private readonly agents: AgentRepository,
    private readonly presence: PresenceWindow,
  ) {}

  async enroll(req: agentHubV1.EnrollAgentRequest): Promise<agentHubV1.EnrollAgentResponse> {
    const r = parseRequest(enrollRequestSchema, { agent_id: req.agentId, site: req.site ?? '', labels: req.labels ?? {} });
    const token = newAgentToken();
    const row = await this.agents.enroll(r.agent_id, hashAgentToken(token), r.site, r.labels);
    return { agent: toAgentMessage(row, this.presence.connectedSince()), token };
  }

  async get(req: agentHubV1.GetAgentRequest): Promise<agentHubV1.GetAgentResponse> {
    const r = parseRequest(getRequestSchema, { agent_id: req.agentId });
    const row = await this.agents.find(r.agent_id);
    if (!row) throw notFound(`agent ${r.agent_id}`);
    return { agent: toAgentMessage(row, this.presence.connectedSince()) };
  }

  async list(req: agentHubV1.ListAgentsRequest): Promise<agentHubV1.ListAgentsResponse> {
    const r = parseRequest(listRequestSchema, {
      site: req.site ?? '',
      connected_only: req.connectedOnly ?? false,
      page_size: req.pageSize ?? 0,
      page_token: req.pageToken ?? '',
    });
    const afterId = decodePageToken(r.page_token);
    if (afterId === null) throw invalidArgument('page_token', 'not a token from a previous ListAgents response');
    const pageSize = Math.min(r.page_size || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const since = this.presence.connectedSince();
    // One extra row tells whether another page exists without a count query.
    const rows = await this.agents.list({
      ...(r.site ? { site: r.site } : {}),
      ...(r.connected_only ? { connectedSince: since } : {}),
      ...(afterId ? { afterId } : {}),
      limit: pageSize + 1,
    });
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    return {
      agents: page.map((row) => toAgentMessage(row, since)),
      nextPageToken: rows.length > pageSize && last ? encodePageToken(last.id) : '',
    };
  }
}
