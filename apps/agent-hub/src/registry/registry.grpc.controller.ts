import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { Observable } from 'rxjs';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { StreamPacing } from './agent-select.js';
import { RegistryService } from './registry.service.js';

/** fleetplane.agenthub.v1.AgentRegistryService: thin, each RPC is one service call. */
@Controller()
@agentHubV1.AgentRegistryServiceControllerMethods()
export class RegistryGrpcController implements agentHubV1.AgentRegistryServiceController {
  constructor(private readonly registry: RegistryService) {}

  countAgents(req: agentHubV1.ListAgentsRequest): Promise<agentHubV1.CountAgentsResponse> {
    return this.registry.count(req);
  }

  summarizeAgents(): Promise<agentHubV1.SummarizeAgentsResponse> {
    return this.registry.summarize();
  }

  // Nest passes the call itself third: the stream paces its reads by it.
  selectAgents(req: agentHubV1.SelectAgentsRequest, _metadata?: Metadata, call?: StreamPacing): Observable<agentHubV1.SelectAgentsResponse> {
    return this.registry.select(req, call);
  }
}
