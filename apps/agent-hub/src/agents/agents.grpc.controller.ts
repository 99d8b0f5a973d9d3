import { Controller } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { AgentsService } from './agents.service.js';

/** fleetplane.agenthub.v1.AgentHubService: thin, each RPC is one service call. */
@Controller()
@agentHubV1.AgentHubServiceControllerMethods()
export class AgentsGrpcController implements agentHubV1.AgentHubServiceController {
  constructor(private readonly agents: AgentsService) {}

  enrollAgent(req: agentHubV1.EnrollAgentRequest): Promise<agentHubV1.EnrollAgentResponse> {
    return this.agents.enroll(req);
  }

  getAgent(req: agentHubV1.GetAgentRequest): Promise<agentHubV1.GetAgentResponse> {
    return this.agents.get(req);
  }

  listAgents(req: agentHubV1.ListAgentsRequest): Promise<agentHubV1.ListAgentsResponse> {
    return this.agents.list(req);
  }
}
