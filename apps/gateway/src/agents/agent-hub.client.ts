import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ClientGrpc } from '@nestjs/microservices';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { unaryCall } from '../upstream/unary-call.js';
import { AGENT_HUB_GRPC } from '../upstream/upstream.tokens.js';

/** The agent hub's gRPC API, each call with a deadline. */
@Injectable()
export class AgentHubClient implements OnModuleInit {
  private client!: agentHubV1.AgentHubServiceClient;

  constructor(
    @Inject(AGENT_HUB_GRPC) private readonly grpc: ClientGrpc,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.client = this.grpc.getService<agentHubV1.AgentHubServiceClient>(agentHubV1.AGENT_HUB_SERVICE_NAME);
  }

  enrollAgent(req: agentHubV1.EnrollAgentRequest): Promise<agentHubV1.EnrollAgentResponse> {
    return unaryCall(this.target('EnrollAgent'), this.client.enrollAgent.bind(this.client), req);
  }

  getAgent(req: agentHubV1.GetAgentRequest): Promise<agentHubV1.GetAgentResponse> {
    return unaryCall(this.target('GetAgent'), this.client.getAgent.bind(this.client), req);
  }

  listAgents(req: agentHubV1.ListAgentsRequest): Promise<agentHubV1.ListAgentsResponse> {
    return unaryCall(this.target('ListAgents'), this.client.listAgents.bind(this.client), req);
  }

  private target(method: string) {
    return { service: 'agent-hub', method, timeoutMs: this.config.UPSTREAM_TIMEOUT_MS };
  }
}
