import { Module } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import { AuditModule } from '../audit/audit.module.js';
import type { GatewayConfig } from '../config.js';
import { AgentRegistryModule } from './agent-registry.module.js';
import { AgentSummaryController } from './agent-summary.controller.js';
import { AgentsController } from './agents.controller.js';
import { AGENT_HUB, AgentsService } from './agents.service.js';

/**
 * /agents, answered by agent-hub over gRPC. agent-hub is not a readiness
 * dependency: while it is down these routes answer 503 and the rest of the API
 * keeps working.
 */
@Module({
  imports: [
    AuditModule,
    AgentRegistryModule,
    GrpcClientModule.register({
      upstream: AGENT_HUB,
      key: 'agentHub',
      service: agentHubV1.AGENT_HUB_SERVICE_NAME,
      url: (config: GatewayConfig) => config.AGENT_HUB_GRPC_URL,
      timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
    }),
  ],
  // AgentSummaryController first: /agents/summary must match before /agents/:id.
  controllers: [AgentSummaryController, AgentsController],
  providers: [AgentsService],
})
export class AgentsModule {}
