import { Module } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import type { TelemetryConfig } from '../config.js';
import { AGENT_HUB, AgentDirectory } from './agent-directory.js';

/** Agent selection through agent-hub's registry (SelectAgents). */
@Module({
  imports: [
    GrpcClientModule.register({
      upstream: AGENT_HUB,
      key: 'agentHub',
      service: agentHubV1.AGENT_REGISTRY_SERVICE_NAME,
      url: (config: TelemetryConfig) => config.AGENT_HUB_GRPC_URL,
      // The whole selection streamed: up to 100,000 ids.
      timeoutMs: 15_000,
    }),
  ],
  providers: [AgentDirectory],
  exports: [AgentDirectory],
})
export class AgentsModule {}
