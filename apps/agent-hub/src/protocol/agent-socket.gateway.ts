import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { InjectConfig } from '@fleetplane/service-kit';
import { LiveSessions } from '@fleetplane/service-kit/websocket';
import { AGENT_WS_PATH, MAX_AGENT_FRAME_BYTES } from '@fleetplane/contracts';
import type { HubConfig } from '../config.js';
import { HubMetrics } from '../metrics/hub-metrics.js';
import { AgentSession } from './agent-session.js';
import { SessionLifecycle } from './session-lifecycle.js';
import type { SessionTimings } from './session-ports.js';

/**
 * The agent WebSocket endpoint, on the HTTP server's port. `ws` itself closes
 * frames over MAX_AGENT_FRAME_BYTES with 1009; everything else is the session's job.
 */
@WebSocketGateway({ path: AGENT_WS_PATH, maxPayload: MAX_AGENT_FRAME_BYTES })
export class AgentSocketGateway implements OnGatewayConnection, BeforeApplicationShutdown {
  private readonly log = new Logger('AgentSocket');
  private readonly sessions: LiveSessions<AgentSession>;
  private readonly timings: SessionTimings;

  constructor(
    @InjectConfig() config: HubConfig,
    private readonly lifecycle: SessionLifecycle,
    private readonly metrics: HubMetrics,
  ) {
    this.timings = {
      helloTimeoutMs: config.HELLO_TIMEOUT_MS,
      heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
      telemetryIntervalMs: config.TELEMETRY_INTERVAL_MS,
    };
    this.sessions = new LiveSessions({ log: this.log, onFrameTooBig: () => metrics.protocolError('frame_too_big') });
  }

  handleConnection(ws: WebSocket): void {
    this.sessions.accept(ws, (socket) => new AgentSession(socket, this.lifecycle, this.timings, this.metrics, this.log));
  }

  /** Before NATS and the database go away: close every socket (1001) and clear presence. */
  beforeApplicationShutdown(): Promise<void> {
    return this.sessions.closeAll('hub shutting down');
  }
}
