import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { LiveSessions } from '@fleetplane/service-kit/websocket';
import { AGENT_WS_PATH, AgentCloseCode, MAX_AGENT_FRAME_BYTES, tryAgainLaterReason } from '@fleetplane/contracts';
import type { HubConfig } from '../config.js';
import { HubMetrics } from '../metrics/hub-metrics.js';
import { AdmissionControl } from './admission-control.js';
import { AgentSession } from './agent-session.js';
import { SessionLifecycle } from './session-lifecycle.js';
import type { InboundLimits, SessionTimings } from './session-ports.js';

// A refused socket is closed at once; an error on it (peer gone mid-close) is of no interest.
const ignore = (): void => undefined;

/**
 * The agent WebSocket endpoint, on the HTTP server's port. Admission control
 * refuses a socket (4429) before a session exists for it; `ws` itself closes
 * frames over MAX_AGENT_FRAME_BYTES with 1009; everything else is the session's job.
 */
@WebSocketGateway({ path: AGENT_WS_PATH, maxPayload: MAX_AGENT_FRAME_BYTES })
export class AgentSocketGateway implements OnGatewayConnection, BeforeApplicationShutdown {
  private readonly log = new Logger('AgentSocket');
  private readonly sessions: LiveSessions<AgentSession>;
  private readonly timings: SessionTimings;
  private readonly inbound: InboundLimits;
  private readonly now: () => number;

  constructor(
    @InjectConfig() config: HubConfig,
    private readonly lifecycle: SessionLifecycle,
    private readonly admission: AdmissionControl,
    private readonly metrics: HubMetrics,
    clock: Clock,
  ) {
    this.timings = {
      helloTimeoutMs: config.HELLO_TIMEOUT_MS,
      heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
      telemetryIntervalMs: config.TELEMETRY_INTERVAL_MS,
    };
    this.inbound = { framesPerSecond: config.INBOUND_FRAMES_PER_SECOND, bytesPerSecond: config.INBOUND_BYTES_PER_SECOND };
    this.now = () => clock.nowMs();
    this.sessions = new LiveSessions({ log: this.log, onFrameTooBig: () => metrics.protocolError('frame_too_big') });
  }

  handleConnection(ws: WebSocket): void {
    const refusal = this.admission.admitConnection(this.sessions.size);
    if (refusal) {
      this.metrics.admissionRefused(refusal.reason);
      ws.on('error', ignore);
      ws.close(AgentCloseCode.TryAgainLater, tryAgainLaterReason(refusal.retryAfterMs, refusal.reason.replaceAll('_', ' ')));
      return;
    }
    this.sessions.accept(ws, (socket) => new AgentSession(socket, this.lifecycle, this.timings, this.metrics, this.log, this.inbound, this.now));
  }

  /** Before NATS and the database go away: close every socket (1001) and clear presence. */
  beforeApplicationShutdown(): Promise<void> {
    return this.sessions.closeAll('hub shutting down');
  }
}
