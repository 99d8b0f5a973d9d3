import type { SessionLog } from './session-ports.js';
import { sessionSocketOf, type WsConnection, type WsSessionSocket } from './ws-connection.js';
import { wsDataToText } from '@fleetplane/contracts';
import { WsCloseCode, type WsSession } from './ws-session.js';

export interface LiveSessionsOptions {
  log: SessionLog;
  /**
   * `ws` refused a frame over the endpoint's `maxPayload` (it closes with 1009
   * itself); for a metric. Other socket errors are only logged.
   */
  onFrameTooBig?: () => void;
}

/**
 * The sessions a Nest WebSocket gateway holds: wires each `ws` connection to
 * its session, forgets a session once it has settled, and on shutdown closes
 * them all and waits until each has cleaned up (before NATS and the database go).
 */
export class LiveSessions<Session extends WsSession<string>> {
  private readonly live = new Set<Session>();

  constructor(private readonly options: LiveSessionsOptions) {}

  /** Builds the session for `ws` with `create`, wires the socket's events to it, and starts it. */
  accept(ws: WsConnection, create: (socket: WsSessionSocket) => Session): Session {
    const session = create(sessionSocketOf(ws));
    this.live.add(session);
    void session.whenSettled().then(() => this.live.delete(session));
    ws.on('message', (data) => session.receive(wsDataToText(data)));
    ws.on('error', (err) => this.socketError(err));
    ws.on('close', (code) => session.socketClosed(code));
    session.start();
    return session;
  }

  /** Closes every session with 1001 (going away); resolves once each has settled. */
  async closeAll(reason: string): Promise<void> {
    const sessions = [...this.live];
    for (const s of sessions) s.close(WsCloseCode.GoingAway, reason);
    await Promise.all(sessions.map((s) => s.whenSettled()));
  }

  get size(): number {
    return this.live.size;
  }

  private socketError(err: Error & { code?: string }): void {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.options.onFrameTooBig?.();
    this.options.log.warn(`socket error: ${err.message}`);
  }
}
