import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocketServer, type WebSocket } from 'ws';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { LiveSessions } from '@fleetplane/service-kit/websocket';
import { AGENT_WS_PATH, MAX_AGENT_FRAME_BYTES } from '@fleetplane/contracts';
import type { HubConfig } from '../config.js';
import { HubMetrics } from '../metrics/hub-metrics.js';
import { AdmissionControl } from './admission-control.js';
import { AgentSession } from './agent-session.js';
import { SessionLifecycle } from './session-lifecycle.js';
import type { InboundLimits, SessionTimings } from './session-ports.js';
import { refuseUpgrade } from './upgrade-refusal.js';

/**
 * The agent WebSocket endpoint, on the HTTP server's port: a `ws` server of
 * its own on the HTTP server's upgrade event rather than a Nest gateway, whose
 * adapter builds an rxjs pipeline per socket and runs every frame through it
 * although nothing here is routed by Nest (a few KiB and a parse per frame,
 * times tens of thousands of agents). Admission control refuses at the
 * upgrade event, before any WebSocket exists: a plain HTTP 503 with the
 * retry-after hint, so a reconnect storm's excess costs the hub a write, not a
 * handshake, a parser and a session. `ws` itself closes frames over
 * MAX_AGENT_FRAME_BYTES with 1009; everything else is the session's job.
 */
@Injectable()
export class AgentSocketGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('AgentSocket');
  private readonly sessions: LiveSessions<AgentSession>;
  private readonly timings: SessionTimings;
  private readonly inbound: InboundLimits;
  private readonly now: () => number;
  // No client tracking: LiveSessions already holds every session, and `ws`'s own Set would add an
  // entry and a close listener per socket (tens of thousands) for nothing.
  private readonly wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: MAX_AGENT_FRAME_BYTES });
  private server?: Server;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head);

  constructor(
    @InjectConfig() config: HubConfig,
    private readonly lifecycle: SessionLifecycle,
    private readonly admission: AdmissionControl,
    private readonly metrics: HubMetrics,
    private readonly http: HttpAdapterHost,
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

  /** Before the HTTP server listens (runService listens after init), so every upgrade is decided here. */
  onApplicationBootstrap(): void {
    this.server = this.http.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    this.admission.setAccepting(true);
  }

  /** A socket admission control took at the upgrade (its handshake is counted until HELLO_ACK or the close). */
  handleConnection(ws: WebSocket): void {
    this.sessions.accept(ws, (socket) => new AgentSession(socket, this.lifecycle, this.timings, this.metrics, this.log, this.inbound, this.now));
  }

  /**
   * Before NATS and the database go away: refuse new upgrades (503, so agents
   * wait the hint instead of hammering a closing port), close every session
   * (1001) and clear presence.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.admission.setAccepting(false);
    await this.sessions.closeAll('hub shutting down');
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Only the agent path upgrades; anything else is not a WebSocket endpoint of this hub.
    if (new URL(req.url ?? '/', 'http://hub').pathname !== AGENT_WS_PATH) {
      socket.destroy();
      return;
    }
    const refusal = this.admission.admitUpgrade(this.sessions.size);
    if (refusal) {
      this.metrics.admissionRefused(refusal.reason, 'upgrade');
      refuseUpgrade(socket, refusal);
      return;
    }
    let upgraded = false;
    // Synchronous without verifyClient: a handshake `ws` rejected (bad key, wrong version) is known on return.
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      this.handleConnection(ws);
    });
    if (!upgraded) this.admission.endHandshake();
  }
}
