import { randomUUID } from 'node:crypto';
import {
  AgentCloseCode,
  AgentErrorCode,
  decodeAgentFrame,
  frame,
  type AgentToHub,
  type Hello,
  type HubToAgent,
} from '@fleetplane/contracts';
import type {
  ProtocolErrorReason,
  SessionHooks,
  SessionLog,
  SessionMetrics,
  SessionSocket,
  SessionStanding,
  SessionTimings,
} from './session-ports.js';

type State = 'awaiting_hello' | 'authenticating' | 'open' | 'closed';

/** Missing this many heartbeats closes the socket. */
export const MISSED_HEARTBEATS_BEFORE_CLOSE = 3;
const INTERNAL_ERROR = 1011;
const MAX_ERROR_MESSAGE = 4000;

/**
 * One agent connection, from the first byte to the close. The session alone
 * parses frames (so a bad one is answered with ERROR and 1002, never dropped
 * silently), handles them strictly in arrival order (a RUNNING result is stored
 * before the COMPLETED that follows it), and owns the HELLO and idle timers.
 */
export class AgentSession {
  private state: State = 'awaiting_hello';
  private helloTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();
  private openAttempt?: Promise<void>;
  private cleanup?: Promise<void>;
  private readonly settled: { promise: Promise<void>; resolve: () => void };
  private _agentId = '';
  private _sessionId = '';
  private _replaced = false;

  constructor(
    private readonly socket: SessionSocket,
    private readonly hooks: SessionHooks,
    private readonly timings: SessionTimings,
    private readonly metrics: SessionMetrics,
    private readonly log: SessionLog,
  ) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.settled = { promise, resolve };
  }

  get agentId(): string {
    return this._agentId;
  }
  get sessionId(): string {
    return this._sessionId;
  }
  /** Closed because a newer connection of the same agent took over. */
  get replaced(): boolean {
    return this._replaced;
  }
  get isOpen(): boolean {
    return this.state === 'open';
  }

  start(): void {
    this.helloTimer = setTimeout(() => {
      this.metrics.protocolError('hello_timeout');
      this.close(AgentCloseCode.HelloTimeout, `no HELLO within ${this.timings.helloTimeoutMs} ms`);
    }, this.timings.helloTimeoutMs);
  }

  /** Called for every frame the socket receives. */
  receive(text: string): void {
    if (this.state === 'closed') return;
    if (this.state === 'open') this.armIdleTimer();
    this.queue = this.queue.then(() => this.handle(text)).catch((err: Error) => {
      this.log.error(`agent ${this._agentId || '(unauthenticated)'}: ${err.message}`);
      this.close(INTERNAL_ERROR, 'internal error');
    });
  }

  /**
   * Writes a COMMAND (or any hub frame) once the session is open. A dispatch
   * racing the HELLO waits for it to finish. False when the socket is gone.
   */
  async deliver(text: string): Promise<boolean> {
    if (this.state === 'authenticating') await this.openAttempt?.catch(() => undefined);
    if (this.state !== 'open' || !this.socket.isOpen()) return false;
    this.socket.send(text);
    return true;
  }

  /** A newer connection of the same agent won; this one goes. */
  replace(): void {
    if (this.state === 'closed') return;
    this._replaced = true;
    this.close(AgentCloseCode.Replaced, 'replaced by a newer connection of the same agent');
  }

  /** Closes the socket and releases everything the session holds. */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.finish(code);
    this.socket.close(code, closeReason(reason));
  }

  /** The socket closed (by the peer, or after our own close). */
  socketClosed(code: number): void {
    this.finish(code);
  }

  /** Resolves once the session is closed and its presence, routing and events are cleaned up. */
  whenSettled(): Promise<void> {
    return this.settled.promise;
  }

  private finish(code: number): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    clearTimeout(this.idleTimer);
    const opening = this.openAttempt;
    this.cleanup = opening
      ? opening
          .catch(() => undefined)
          .then(() => this.hooks.closed(this, code))
          .catch((err: Error) => this.log.error(`agent ${this._agentId}: cleanup failed: ${err.message}`))
      : Promise.resolve();
    void this.cleanup.then(() => this.settled.resolve());
  }

  private async handle(text: string): Promise<void> {
    if (this.state === 'closed') return;
    const decoded = decodeAgentFrame(text);
    if (!decoded.ok) return this.rejectFrame(decoded.reason);
    const msg = decoded.message;
    this.metrics.frameReceived(msg.type);
    if (this.state === 'awaiting_hello') {
      if (msg.type !== 'HELLO') return this.protocolError('hello_required', `expected HELLO first, got ${msg.type}`, msg.id);
      return this.authenticate(msg);
    }
    return this.handleOpen(msg);
  }

  private async handleOpen(msg: AgentToHub): Promise<void> {
    switch (msg.type) {
      case 'HELLO':
        return this.protocolError('duplicate_hello', 'HELLO was already received on this connection', msg.id);
      case 'HEARTBEAT':
        return this.checkStanding(await this.hooks.heartbeat(this));
      case 'RESULT':
        return this.forward(msg.id, () => this.hooks.result(this, msg));
      case 'TELEMETRY':
        return this.forward(msg.id, () => this.hooks.telemetry(this, msg));
      case 'ERROR':
        this.log.warn(`agent ${this._agentId} reported ${msg.code}: ${msg.message}`);
        return;
    }
  }

  private checkStanding(standing: SessionStanding): void {
    if (standing === 'superseded') return this.replace();
    if (standing === 'revoked') {
      this.metrics.protocolError('credential_revoked');
      this.close(AgentCloseCode.Unauthorized, 'unauthorized');
    }
  }

  /**
   * A RESULT or TELEMETRY that could not be stored (NATS down) is answered with
   * an ERROR naming the frame, so the agent can send it again; the session stays.
   */
  private async forward(frameId: string, store: () => Promise<void>): Promise<void> {
    try {
      await store();
    } catch (err) {
      this.log.error(`agent ${this._agentId}: frame ${frameId} not stored: ${(err as Error).message}`);
      this.sendError(AgentErrorCode.NotStored, 'the hub could not store this frame; send it again', frameId);
    }
  }

  private async authenticate(hello: Hello): Promise<void> {
    this.state = 'authenticating';
    const ok = await this.hooks.authenticate(hello.agentId, hello.token);
    if (this.state !== 'authenticating') return; // closed (HELLO timeout, peer gone) while checking
    if (!ok) {
      this.metrics.protocolError('unauthorized');
      // One message whether the agent is unknown or the token is wrong.
      this.close(AgentCloseCode.Unauthorized, 'unauthorized');
      return;
    }
    this._agentId = hello.agentId;
    this._sessionId = randomUUID();
    this.openAttempt = this.hooks.opened(this, hello);
    try {
      await this.openAttempt;
    } catch (err) {
      this.log.error(`agent ${hello.agentId}: could not open session: ${(err as Error).message}`);
      this.close(INTERNAL_ERROR, 'internal error');
      return;
    }
    if (this.state !== 'authenticating') return;
    this.state = 'open';
    clearTimeout(this.helloTimer);
    this.socket.send(
      frame<HubToAgent>({
        type: 'HELLO_ACK',
        sessionId: this._sessionId,
        heartbeatIntervalMs: this.timings.heartbeatIntervalMs,
        telemetryIntervalMs: this.timings.telemetryIntervalMs,
      }),
    );
    this.armIdleTimer();
    this.log.log(`agent ${this._agentId} connected (session ${this._sessionId})`);
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    const idleMs = MISSED_HEARTBEATS_BEFORE_CLOSE * this.timings.heartbeatIntervalMs;
    this.idleTimer = setTimeout(() => {
      this.metrics.protocolError('heartbeat_timeout');
      this.close(AgentCloseCode.IdleTimeout, `no frame for ${idleMs} ms`);
    }, idleMs);
  }

  private rejectFrame(reason: string): void {
    if (reason === 'frame is not JSON') return this.protocolError('not_json', reason);
    if (reason.startsWith('type:')) return this.protocolError('unknown_type', reason);
    if (reason.startsWith('v:')) {
      this.metrics.protocolError('unsupported_version');
      this.sendError(AgentErrorCode.UnsupportedVersion, `${reason} (this hub speaks protocol version 1)`);
      this.close(AgentCloseCode.UnsupportedVersion, 'unsupported protocol version');
      return;
    }
    return this.protocolError('invalid_frame', reason);
  }

  /** Tells the agent what was wrong, then closes with 1002; other agents are unaffected. */
  private protocolError(reason: ProtocolErrorReason, message: string, replyTo?: string): void {
    this.metrics.protocolError(reason);
    this.log.warn(`agent ${this._agentId || '(unauthenticated)'}: protocol error: ${message}`);
    this.sendError(AgentErrorCode.ProtocolError, message, replyTo);
    this.close(AgentCloseCode.ProtocolError, message);
  }

  private sendError(code: string, message: string, replyTo?: string): void {
    if (!this.socket.isOpen()) return;
    this.socket.send(
      frame<HubToAgent>({ type: 'ERROR', code, message: message.slice(0, MAX_ERROR_MESSAGE), ...(replyTo ? { replyTo } : {}) }),
    );
  }
}

// A close reason may hold at most 123 bytes of UTF-8 (RFC 6455 §5.5).
function closeReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  return bytes.length <= 123 ? reason : bytes.subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '') + '...';
}
