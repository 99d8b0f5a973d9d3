import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PresenceModule } from '../presence/presence.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AdmissionControl } from './admission-control.js';
import { AgentConnectedListener } from './agent-connected.listener.js';
import { AgentSocketGateway } from './agent-socket.gateway.js';
import { PresenceFlusher } from './presence-flusher.js';
import { SessionLifecycle } from './session-lifecycle.js';
import { SessionRegistry } from './session-registry.js';
import { SessionTimerWheel } from './session-timer-wheel.js';

/**
 * The agent WebSocket endpoint and its sessions: authenticates against the
 * registry, admits connections (503 at the upgrade, 4429 at HELLO, beyond the limits), records presence
 * (connects at once, last-seen in batches) and hands each open session to
 * routing. It exports only SessionRegistry, through which AccessModule closes sessions.
 */
@Module({
  imports: [AgentsModule, RoutingModule, MetricsModule, PresenceModule],
  providers: [SessionRegistry, AdmissionControl, SessionLifecycle, SessionTimerWheel, PresenceFlusher, AgentConnectedListener, AgentSocketGateway],
  // For AccessModule, which closes the sessions of revoked agents.
  exports: [SessionRegistry],
})
export class ProtocolModule {}
