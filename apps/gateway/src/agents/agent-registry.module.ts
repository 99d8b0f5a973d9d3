import { Module } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import type { GatewayConfig } from '../config.js';
import { AGENT_REGISTRY, AgentRegistryClient } from './agent-registry.client.js';

/**
 * agent-hub's AgentRegistryService (counts, summary): the same peer and
 * address as /agents, a client of its own because it is another service of
 * that package, in a module of its own so its client does not clash with
 * AgentsModule's AgentHubService client of the same upstream name.
 */
@Module({
  imports: [
    GrpcClientModule.register({
      upstream: AGENT_REGISTRY,
      key: 'agentHub',
      service: agentHubV1.AGENT_REGISTRY_SERVICE_NAME,
      url: (config: GatewayConfig) => config.AGENT_HUB_GRPC_URL,
      timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
    }),
  ],
  providers: [AgentRegistryClient],
  exports: [AgentRegistryClient],
})
export class AgentRegistryModule {}
