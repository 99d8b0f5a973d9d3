import { randomUUID } from 'node:crypto';
import {
  AgentCloseCode,
  AgentErrorCode,
  AgentFeature,
  decodeAgentFrame,
  frame,
  tryAgainLaterReason,
  type AgentToHub,
  type Hello,
  type HubToAgent,
} from '@fleetplane/contracts';
import { WsCloseCode, WsSession } from '@fleetplane/service-kit/websocket';
import type {
  InboundLimits,
  ProtocolErrorReason,
  SessionHooks,
  SessionLog,
  SessionMetrics,
  SessionSocket,
  SessionStanding,
  SessionTimings,
} from './session-ports.js';

type Handshake = 'awaiting_hello' | 'authenticating';

const MAX_ERROR_MESSAGE = 4000;

/** The optional protocol features this hub uses when the agent announces them. */
export const HUB_FEATURES: readonly AgentFeature[] = [AgentFeature.Cancel, AgentFeature.Output, AgentFeature.ResultAck];
const NO_FEATURES: readonly AgentFeature[] = [];

/** The features a session uses: the announced ones this hub knows (one shared array when that is all or none, so most sessions allocate nothing). */
function negotiate(announced: readonly string[] | undefined): readonly AgentFeature[] {
  if (!announced || announced.length === 0) return NO_FEATURES;
  const used = HUB_FEATURES.filter((f) => announced.includes(f));
  if (used.length === HUB_FEATURES.length) return HUB_FEATURES;
  return used.length === 0 ? NO_FEATURES : used;
}

/**
 * One agent connection, from the first byte to the close. The session alone
 * parses frames (so a bad one is answered with ERROR and 1002, never dropped
 * silently) and counts its inbound rate; the base queues frames in arrival
 * order (a RUNNING result is stored before the COMPLETED that follows it) and
 * runs the HELLO timer until the session is open.
 *
 * Kept small, as a hub holds tens of thousands: no timer, closure or map of
 * its own. Liveness is a number (`lastFrameAtMs`) that one shared sweep
 * (SessionTimerWheel) reads for every session, and the presence flush writes.
 */
export class AgentSession extends WsSession<Handshake> {
  private openAttempt?: Promise<void>;
  private _agentId = '';
  private _sessionId = '';
  private _replaced = false;
  private _features: readonly AgentFeature[] = NO_FEATURES;
  /** Counted by admission control from the upgrade until HELLO_ACK or the close, whichever comes first. */
  private handshaking = true;
  /** SHA-256 of the credential the session authenticated with, to notice a rotation at a presence flush. */
  credentialHash = '';
  /** When the last frame arrived (any frame proves the agent alive). */
  lastFrameAtMs = 0;
  /** The `lastFrameAtMs` the presence flush last wrote as last-seen. */
  flushedSeenAtMs = 0;
  private windowStartMs = 0;
  private windowFrames = 0;
  private windowBytes = 0;

  constructor(
    socket: SessionSocket,
    private readonly hooks: SessionHooks,
    private readonly timings: SessionTimings,
    private readonly metrics: SessionMetrics,
    log: SessionLog,
    private readonly limits: InboundLimits,
    private readonly now: () => number,
  ) {
    super(socket, log, { initial: 'awaiting_hello', firstFrameTimeoutMs: timings.helloTimeoutMs });
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
  /** Whether the session uses an optional feature (the agent announced it and this hub knows it). */
  uses(feature: AgentFeature): boolean {
    return this._features.includes(feature);
  }

  /**
   * Writes a COMMAND (or any hub frame) once the session is open. A dispatch
   * racing the HELLO waits for it to finish. False when the socket is gone.
   */
  async deliver(text: string): Promise<boolean> {
    if (this.state === 'authenticating') await this.openAttempt?.catch(() => undefined);
    if (!this.isOpen || !this.socket.isOpen()) return false;
    this.socket.send(text);
    return true;
  }

  /**
   * Counts the frame against the per-connection limits before it is parsed or
   * queued: a flood is closed (4413) without costing a parse per frame. Sizes
   * are in UTF-16 units of the decoded text, which is bytes for the ASCII JSON agents send.
   */
  override receive(text: string): void {
    if (this.state === 'closed') return;
    const now = this.now();
    if (now - this.windowStartMs >= 1_000) {
      this.windowStartMs = now;
      this.windowFrames = 0;
      this.windowBytes = 0;
    }
    this.windowFrames += 1;
    this.windowBytes += text.length;
    if (this.windowFrames > this.limits.framesPerSecond || this.windowBytes > this.limits.bytesPerSecond) {
      this.metrics.protocolError('inbound_rate');
      this.close(AgentCloseCode.InboundRateExceeded, `more than ${this.limits.framesPerSecond} frames or ${this.limits.bytesPerSecond} bytes per second`);
      return;
    }
    this.lastFrameAtMs = now;
    super.receive(text);
  }

  /** Called by the shared sweep when no frame arrived for `idleMs`. */
  idleTimedOut(idleMs: number): void {
    if (!this.isOpen) return;
    this.metrics.protocolError('heartbeat_timeout');
    this.close(AgentCloseCode.IdleTimeout, `no frame for ${idleMs} ms`);
  }

  /** What a presence flush learnt: a session that is no longer current or whose credential changed goes. */
  applyStanding(standing: SessionStanding): void {
    if (standing === 'superseded') return this.replace();
    if (standing === 'revoked') {
      this.metrics.protocolError('credential_revoked');
      this.log.warn(`agent ${this._agentId} session ${this._sessionId}: credential changed; closing it`);
      this.close(AgentCloseCode.Unauthorized, 'unauthorized');
    }
  }

  /** A newer connection of the same agent won; this one goes. */
  replace(): void {
    if (this.state === 'closed') return;
    this._replaced = true;
    this.close(AgentCloseCode.Replaced, 'replaced by a newer connection of the same agent');
  }

  protected override firstFrameTimedOut(timeoutMs: number): void {
    this.metrics.protocolError('hello_timeout');
    this.close(AgentCloseCode.HelloTimeout, `no HELLO within ${timeoutMs} ms`);
  }

  /**
   * Presence, routing and events are undone only for a session that reached
   * `opened`, and only after that finished (it may still be running).
   */
  protected override cleanUp(code: number): Promise<void> | void {
    this.endHandshake();
    const opening = this.openAttempt;
    if (!opening) return;
    return opening.catch(() => undefined).then(() => this.hooks.closed(this, code));
  }

  protected override describe(): string {
    return `agent ${this._agentId || '(unauthenticated)'}`;
  }

  protected override async handle(text: string): Promise<void> {
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
        // Nothing to do: receive() noted the time; the presence flush writes it in a batch.
        return;
      case 'RESULT':
        return this.forward(msg.id, () => this.hooks.result(this, msg));
      case 'OUTPUT':
        // Only an agent this session agreed "output" with may send it; anyone else breaks the protocol.
        if (!this.uses(AgentFeature.Output)) return this.protocolError('invalid_frame', 'OUTPUT without the "output" feature', msg.id);
        return this.forward(msg.id, () => this.hooks.output(this, msg));
      case 'TELEMETRY':
        return this.forward(msg.id, () => this.hooks.telemetry(this, msg));
      case 'ERROR':
        this.log.warn(`agent ${this._agentId} reported ${msg.code}: ${msg.message}`);
        return;
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

  /** Admission first (before the database is touched), then the credential, then presence and routing. */
  private async authenticate(hello: Hello): Promise<void> {
    const refusal = this.hooks.beginHello();
    if (refusal) {
      this.metrics.admissionRefused(refusal.reason, 'hello');
      this.close(AgentCloseCode.TryAgainLater, tryAgainLaterReason(refusal.retryAfterMs, refusal.reason.replaceAll('_', ' ')));
      return;
    }
    try {
      await this.authenticateAdmitted(hello);
    } finally {
      this.hooks.endHello();
    }
  }

  private async authenticateAdmitted(hello: Hello): Promise<void> {
    this.enter('authenticating');
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
    this._features = negotiate(hello.features);
    this.openAttempt = this.hooks.opened(this, hello);
    try {
      await this.openAttempt;
    } catch (err) {
      this.log.error(`agent ${hello.agentId}: could not open session: ${(err as Error).message}`);
      this.close(WsCloseCode.InternalError, 'internal error');
      return;
    }
    if (this.state !== 'authenticating') return;
    this.markOpen();
    // Idle from now; markConnected has just written this instant as last-seen.
    this.lastFrameAtMs = this.flushedSeenAtMs = this.now();
    this.socket.send(
      frame<HubToAgent>({
        type: 'HELLO_ACK',
        sessionId: this._sessionId,
        heartbeatIntervalMs: this.timings.heartbeatIntervalMs,
        telemetryIntervalMs: this.timings.telemetryIntervalMs,
        ...(this._features.length > 0 ? { features: [...this._features] } : {}),
      }),
    );
    this.endHandshake();
    this.log.log(`agent ${this._agentId} connected (session ${this._sessionId})`);
  }

  private endHandshake(): void {
    if (!this.handshaking) return;
    this.handshaking = false;
    this.hooks.endHandshake();
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
    this.log.warn(`${this.describe()}: protocol error: ${message}`);
    this.sendError(AgentErrorCode.ProtocolError, message, replyTo);
    this.close(AgentCloseCode.ProtocolError, message);
  }

  private sendError(code: string, message: string, replyTo?: string): void {
    if (!this.socket.isOpen()) return;
    this.socket.send(frame<HubToAgent>({ type: 'ERROR', code, message: message.slice(0, MAX_ERROR_MESSAGE), ...(replyTo ? { replyTo } : {}) }));
  }
}
