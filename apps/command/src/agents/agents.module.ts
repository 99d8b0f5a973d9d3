import { Module } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import type { CommandConfig } from '../config.js';
import { AGENT_HUB, AgentDirectory } from './agent-directory.js';

/** How long a submit waits for agent-hub to resolve its targets (up to 100,000 agents, streamed). */
const SELECT_TIMEOUT_MS = 15_000;

/**
 * The agent registry as agent-hub answers it. agent-hub is not a readiness
 * dependency: while it is down, submits fail UNAVAILABLE and queued commands
 * still dispatch.
 */
@Module({
  imports: [
    GrpcClientModule.register({
      upstream: AGENT_HUB,
      key: 'agentHub',
      service: agentHubV1.AGENT_REGISTRY_SERVICE_NAME,
      url: (config: CommandConfig) => config.AGENT_HUB_GRPC_URL,
      timeoutMs: SELECT_TIMEOUT_MS,
    }),
  ],
  providers: [AgentDirectory],
  exports: [AgentDirectory],
})
export class AgentsModule {}
