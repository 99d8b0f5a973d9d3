import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AgentConnectedListener } from './agent-connected.listener.js';
import { AgentSocketGateway } from './agent-socket.gateway.js';
import { SessionLifecycle } from './session-lifecycle.js';
import { SessionRegistry } from './session-registry.js';

/**
 * The agent WebSocket endpoint and its sessions: authenticates against the
 * registry, records presence, and hands each open session to routing. Nothing
 * else depends on it, so it exports nothing.
 */
@Module({
  imports: [AgentsModule, RoutingModule, MetricsModule],
  providers: [SessionRegistry, SessionLifecycle, AgentConnectedListener, AgentSocketGateway],
})
export class ProtocolModule {}
