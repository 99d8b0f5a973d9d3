import { WsSession, type SessionLog, type WsSessionState } from '@fleetplane/service-kit/websocket';
import { actorId } from '../auth/principal.js';
import type { EventFeed, StreamAuth, StreamIdentity, StreamMetrics, StreamOptions, StreamSocket } from './stream-ports.js';
import {
  decodeClientFrame,
  matches,
  MAX_SUBSCRIPTIONS,
  StreamCloseCode,
  type AuthFrame,
  type ExecutionUpdated,
  type ServerFrame,
  type SubscribeFrame,
  type Subscription,
} from './stream.protocol.js';

type Handshake = 'awaiting_auth';

// setTimeout takes at most a signed 32-bit delay; a longer one fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One operator's live-update socket, from the first frame to the close. The
 * session alone parses frames (a bad one gets an error frame and 1002, never a
 * silent drop) and owns the token-expiry timer; the base queues frames in
 * arrival order (the auth check is async) and runs the auth timer.
 */
export class StreamSession extends WsSession<Handshake, StreamSocket> {
  private expiryTimer?: NodeJS.Timeout;
  private unlisten?: () => void;
  private identity?: StreamIdentity;
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    socket: StreamSocket,
    private readonly auth: StreamAuth,
    private readonly feed: EventFeed,
    private readonly options: StreamOptions,
    private readonly metrics: StreamMetrics,
    log: SessionLog,
    /** The gateway's Clock (`clock.nowMs`): when the access token expires, the socket closes. */
    private readonly now: () => number,
  ) {
    super(socket, log, { initial: 'awaiting_auth', firstFrameTimeoutMs: options.authTimeoutMs });
  }

  protected override firstFrameTimedOut(timeoutMs: number): void {
    this.metrics.authFailed('auth_timeout');
    this.close(StreamCloseCode.AuthTimeout, `no auth frame within ${timeoutMs} ms`);
  }

  /** Releases the subscription to the event feed; only an authenticated client was counted. */
  protected override cleanUp(_code: number, previous: WsSessionState<Handshake>): void {
    if (previous === 'open') this.metrics.closed();
    clearTimeout(this.expiryTimer);
    this.unlisten?.();
    this.subscriptions.clear();
  }

  protected override describe(): string {
    return `stream ${this.identity ? `${this.identity.principal.kind} ${actorId(this.identity.principal)}` : '(unauthenticated)'}`;
  }

  protected override async handle(text: string): Promise<void> {
    const decoded = decodeClientFrame(text);
    if (!decoded.ok) return this.reject(StreamCloseCode.ProtocolError, decoded.message, decoded.field);
    const frame = decoded.frame;
    if (this.state === 'awaiting_auth') {
      if (frame.type !== 'auth') {
        this.metrics.authFailed('unauthenticated');
        return this.reject(StreamCloseCode.Unauthorized, 'the first frame must be auth', 'type');
      }
      return this.authenticate(frame);
    }
    if (frame.type === 'auth') return this.reject(StreamCloseCode.ProtocolError, 'already authenticated', 'type');
    return this.subscribe(frame);
  }

  private async authenticate(frame: AuthFrame): Promise<void> {
    const identity = await this.auth.authenticate({ token: frame.token, apiKey: frame.apiKey });
    if (this.state !== 'awaiting_auth') return;
    if (!identity) {
      this.metrics.authFailed('unauthenticated');
      return this.reject(StreamCloseCode.Unauthorized, 'invalid credentials', frame.token !== undefined ? 'token' : 'apiKey');
    }
    this.identity = identity;
    this.markOpen();
    this.metrics.opened();
    if (identity.expiresAt !== null) this.armExpiry(identity.expiresAt);
    this.unlisten = this.feed.listen((e) => this.push(e));
    this.send({ type: 'ready' });
  }

  private armExpiry(expiresAt: number): void {
    const left = expiresAt - this.now();
    if (left <= 0) {
      this.metrics.authFailed('token_expired');
      return this.close(StreamCloseCode.Unauthorized, 'token expired');
    }
    this.expiryTimer = setTimeout(() => this.armExpiry(expiresAt), Math.min(left, MAX_TIMER_MS));
  }

  private subscribe(frame: SubscribeFrame): void {
    const sub: Subscription = {
      ...(frame.commandId !== undefined ? { commandId: frame.commandId } : {}),
      ...(frame.agentId !== undefined ? { agentId: frame.agentId } : {}),
    };
    const key = `${sub.commandId ?? '*'}/${sub.agentId ?? '*'}`;
    if (!this.subscriptions.has(key)) {
      // Refused, not fatal: the socket keeps the subscriptions it has.
      if (this.subscriptions.size >= MAX_SUBSCRIPTIONS)
        return this.send({ type: 'error', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`, field: null });
      this.subscriptions.set(key, sub);
    }
    this.send({ type: 'subscribed', ...sub });
  }

  private push(event: ExecutionUpdated): void {
    if (!this.isOpen) return;
    for (const sub of this.subscriptions.values()) {
      if (!matches(sub, event)) continue;
      if (this.socket.bufferedBytes() > this.options.maxBufferedBytes) {
        this.log.warn(`${this.describe()}: client does not keep up; closing`);
        return this.close(StreamCloseCode.TryAgainLater, 'client too slow; reconnect and re-read state');
      }
      this.send({ type: 'execution.updated', ...event });
      this.metrics.pushed();
      return;
    }
  }

  private reject(code: number, message: string, field: string | null): void {
    this.send({ type: 'error', message, field });
    this.close(code, message);
  }

  private send(frame: ServerFrame): void {
    if (this.socket.isOpen()) this.socket.send(JSON.stringify(frame));
  }
}
