import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { LiveSessions } from '@fleetplane/service-kit/websocket';
import type { GatewayConfig } from '../config.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { StreamConnectLimit } from '../rate-limit/stream-connect-limit.js';
import { AlertEventFeed } from './alert-event-feed.js';
import { BackupEventFeed } from './backup-event-feed.js';
import { ExecutionEventFeed } from './execution-event-feed.js';
import { ExecutionOutputFeed } from './execution-output-feed.js';
import { StreamAuthenticator } from './stream-authenticator.js';
import type { StreamMetrics, StreamOptions } from './stream-ports.js';
import { StreamSession } from './stream-session.js';
import { MAX_STREAM_FRAME_BYTES, STREAM_PATH } from './stream.protocol.js';

// Events are small (~300 bytes), output chunks bounded by the agent protocol; a client this far behind will not catch up.
const MAX_BUFFERED_BYTES = 1024 * 1024;
// Revocation events close a session within a second; this re-check catches one that was missed (NATS down).
const RECHECK_INTERVAL_MS = 30_000;

/**
 * The operators' live-update WebSocket, on the HTTP server's port. `ws` itself
 * closes frames over MAX_STREAM_FRAME_BYTES with 1009; everything else is the session's job.
 * Stream connections are reads: they are not audited.
 */
@WebSocketGateway({ path: STREAM_PATH, maxPayload: MAX_STREAM_FRAME_BYTES })
export class StreamGateway implements OnGatewayConnection, BeforeApplicationShutdown {
  private readonly log = new Logger('stream');
  private readonly sessions = new LiveSessions<StreamSession>({ log: this.log });
  private readonly options: StreamOptions;
  private readonly metrics: StreamMetrics;
  private readonly now: () => number;

  constructor(
    @InjectConfig() config: Pick<GatewayConfig, 'STREAM_AUTH_TIMEOUT_MS'>,
    private readonly auth: StreamAuthenticator,
    private readonly feed: ExecutionEventFeed,
    private readonly outputs: ExecutionOutputFeed,
    private readonly alerts: AlertEventFeed,
    private readonly backups: BackupEventFeed,
    metrics: GatewayMetrics,
    clock: Clock,
  ) {
    this.options = { authTimeoutMs: config.STREAM_AUTH_TIMEOUT_MS, maxBufferedBytes: MAX_BUFFERED_BYTES, recheckIntervalMs: RECHECK_INTERVAL_MS };
    this.metrics = {
      opened: () => metrics.streamOpened(),
      closed: () => metrics.streamClosed(),
      pushed: () => metrics.streamEventPushed(),
      outputPushed: () => metrics.streamOutputPushed(),
      authFailed: (reason) => metrics.authFailed(`stream_${reason}`),
    };
    // The session compares a JWT's exp with this to close the socket when the token runs out.
    this.now = () => clock.nowMs();
  }

  /** Counts connects per client ip (RATE_LIMIT_STREAM). */
  @Inject(StreamConnectLimit) private readonly connectLimit!: StreamConnectLimit;

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    this.sessions.accept(
      ws,
      (socket) =>
        new StreamSession(
          socket,
          this.auth,
          { events: this.feed, outputs: this.outputs, alerts: this.alerts, backups: this.backups },
          this.options,
          this.metrics,
          this.log,
          this.now,
        ),
    );
    // After accept, so an auth frame sent at once is not lost while Redis is asked.
    this.connectLimit.check(ws, req).catch((err: unknown) => this.log.error(`stream connect limit: ${(err as Error).message}`));
  }

  /** Before NATS goes away: tell every client to reconnect elsewhere (1001). */
  beforeApplicationShutdown(): Promise<void> {
    return this.sessions.closeAll('gateway shutting down');
  }
}
