import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import { WebSocket } from 'ws';
import { wsDataToText } from '@fleetplane/service-kit';
import { AGENT_WS_PATH, AgentCloseCode, MAX_AGENT_FRAME_BYTES } from '@fleetplane/contracts';
import { HUB_CONFIG, type HubConfig } from '../config.js';
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
  private readonly live = new Set<AgentSession>();
  private readonly timings: SessionTimings;

  constructor(
    @Inject(HUB_CONFIG) config: HubConfig,
    private readonly lifecycle: SessionLifecycle,
    private readonly metrics: HubMetrics,
  ) {
    this.timings = {
      helloTimeoutMs: config.HELLO_TIMEOUT_MS,
      heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
      telemetryIntervalMs: config.TELEMETRY_INTERVAL_MS,
    };
  }

  handleConnection(ws: WebSocket): void {
    const session = new AgentSession(
      { send: (t) => ws.send(t), close: (code, reason) => ws.close(code, reason), isOpen: () => ws.readyState === WebSocket.OPEN },
      this.lifecycle,
      this.timings,
      this.metrics,
      this.log,
    );
    this.live.add(session);
    void session.whenSettled().then(() => this.live.delete(session));
    ws.on('message', (data) => session.receive(wsDataToText(data)));
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.metrics.protocolError('frame_too_big');
    });
    ws.on('close', (code) => session.socketClosed(code));
    session.start();
  }

  /** Before NATS and the database go away: close every socket (1001) and clear presence. */
  async beforeApplicationShutdown(): Promise<void> {
    const sessions = [...this.live];
    for (const s of sessions) s.close(AgentCloseCode.GoingAway, 'hub shutting down');
    await Promise.all(sessions.map((s) => s.whenSettled()));
  }
}
