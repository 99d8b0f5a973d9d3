import { Controller } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { AgentAccessService } from './agent-access.service.js';

/** fleetplane.agenthub.v1.AgentAccessService: thin, each RPC is one service call. */
@Controller()
@agentHubV1.AgentAccessServiceControllerMethods()
export class AccessGrpcController implements agentHubV1.AgentAccessServiceController {
  constructor(private readonly access: AgentAccessService) {}

  createEnrollmentToken(req: agentHubV1.CreateEnrollmentTokenRequest): Promise<agentHubV1.CreateEnrollmentTokenResponse> {
    return this.access.createToken(req);
  }

  listEnrollmentTokens(req: agentHubV1.ListEnrollmentTokensRequest): Promise<agentHubV1.ListEnrollmentTokensResponse> {
    return this.access.listTokens(req);
  }

  revokeEnrollmentToken(req: agentHubV1.RevokeEnrollmentTokenRequest): Promise<agentHubV1.RevokeEnrollmentTokenResponse> {
    return this.access.revokeToken(req);
  }

  revokeAgent(req: agentHubV1.RevokeAgentRequest): Promise<agentHubV1.RevokeAgentResponse> {
    return this.access.revokeAgent(req);
  }

  deleteAgent(req: agentHubV1.DeleteAgentRequest): Promise<agentHubV1.DeleteAgentResponse> {
    return this.access.deleteAgent(req);
  }
}
