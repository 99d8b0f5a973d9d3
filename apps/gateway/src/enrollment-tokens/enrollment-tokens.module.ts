import { Module } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import { AuditModule } from '../audit/audit.module.js';
import type { GatewayConfig } from '../config.js';
import { AgentAccessController } from './agent-access.controller.js';
import { AgentAccessService } from './agent-access.service.js';
import { EnrollmentTokensController } from './enrollment-tokens.controller.js';
import { AGENT_ACCESS, EnrollmentTokensService } from './enrollment-tokens.service.js';

/**
 * Who may be an agent: /enrollment-tokens, and revoking (POST /agents/{id}/revoke)
 * or deleting (DELETE /agents/{id}) agents. All kept by agent-hub's
 * AgentAccessService: the same peer and address as /agents (503 while it is
 * down), a client of its own because it is another service of that package.
 */
@Module({
  imports: [
    AuditModule,
    GrpcClientModule.register({
      upstream: AGENT_ACCESS,
      key: 'agentHub',
      service: agentHubV1.AGENT_ACCESS_SERVICE_NAME,
      url: (config: GatewayConfig) => config.AGENT_HUB_GRPC_URL,
      timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
    }),
  ],
  controllers: [EnrollmentTokensController, AgentAccessController],
  providers: [EnrollmentTokensService, AgentAccessService],
})
export class EnrollmentTokensModule {}
