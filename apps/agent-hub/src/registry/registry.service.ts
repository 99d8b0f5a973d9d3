import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { Clock } from '@fleetplane/service-kit';
import { PresenceWindow } from '../agents/presence-window.js';
import { byIdChunks, selectStream, type SelectPageReader, type StreamPacing } from './agent-select.js';
import { toAgentSummary } from './agent-summary.js';
import { parseListFilter, parseSelectRequest } from './registry-requests.js';
import { RegistryRepository } from './registry.repository.js';

/** AgentRegistryService: counts, the summary and the streaming select over the registry. */
@Injectable()
export class RegistryService {
  constructor(
    private readonly registry: RegistryRepository,
    private readonly presence: PresenceWindow,
    private readonly clock: Clock,
  ) {}

  /**
   * A count of its own rather than a total on every ListAgents page: counting
   * reads every matching row (up to the whole fleet), a page reads 50. Callers
   * that show a total ask once, not once per page.
   */
  async count(req: agentHubV1.ListAgentsRequest): Promise<agentHubV1.CountAgentsResponse> {
    const filter = parseListFilter(req);
    return { total: await this.registry.count(filter, this.presence.connectedSince()) };
  }

  async summarize(): Promise<agentHubV1.SummarizeAgentsResponse> {
    const generatedAt = this.clock.now();
    return toAgentSummary(await this.registry.summarize(this.presence.connectedSince()), generatedAt);
  }

  /**
   * The selection, streamed in pages. "Connected" is judged once, when the
   * call starts, so a long stream does not change its mind half-way.
   */
  select(req: agentHubV1.SelectAgentsRequest, pacing?: StreamPacing): Observable<agentHubV1.SelectAgentsResponse> {
    const { filter, pageSize } = parseSelectRequest(req);
    const since = this.presence.connectedSince();
    const read: SelectPageReader = (f, after, limit) => this.registry.selectPage(f, since, after, limit);
    return selectStream(filter.agentIds ? byIdChunks(filter.agentIds, read) : read, filter, pageSize, pacing);
  }
}
