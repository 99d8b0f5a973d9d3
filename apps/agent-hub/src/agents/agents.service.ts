import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { PageTokenCodec, pageSize, takePage, type IdCursor } from '@fleetplane/service-kit';
import { decodeGrpcPageToken, notFound } from '@fleetplane/service-kit/grpc';
import { AgentRepository } from './agent.repository.js';
import { toAgentMessage } from './agent-view.js';
import { hashAgentToken, newAgentToken } from './credentials.js';
import { enrollRequestSchema, getRequestSchema, listRequestSchema, parseRequest } from './agent-requests.js';
import { PresenceWindow } from './presence-window.js';
import { filterScope } from '../registry/agent-filter.js';
import { parseListFilter } from '../registry/registry-requests.js';

// Agents are listed by id alone, so a cursor is the last id of the page.
const pageTokens = new PageTokenCodec<IdCursor>(z.object({ id: agentIdSchema }), 'ListAgents');

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
    const r = parseRequest(listRequestSchema, { page_size: req.pageSize ?? 0, page_token: req.pageToken ?? '' });
    const filter = parseListFilter(req);
    // A token pages through the listing it came from: the same filters, or INVALID_ARGUMENT.
    const scope = filterScope(filter);
    const after = decodeGrpcPageToken(pageTokens, r.page_token, scope);
    const size = pageSize(r.page_size);
    const since = this.presence.connectedSince();
    const rows = await this.agents.list({ filter, connectedSince: since, ...(after ? { after } : {}), limit: size + 1 });
    const page = takePage(rows, size, (last) => ({ id: last.id }));
    return {
      agents: page.items.map((row) => toAgentMessage(row, since)),
      nextPageToken: page.next ? pageTokens.encode(page.next, scope) : '',
    };
  }
}
