import { actorId } from '../auth/principal.js';
import type { EventFeed, StreamAuth, StreamIdentity, StreamLog, StreamMetrics, StreamOptions, StreamSocket } from './stream-ports.js';
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

type State = 'awaiting_auth' | 'open' | 'closed';

// setTimeout takes at most a signed 32-bit delay; a longer one fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_CLOSE_REASON = 120;

/**
 * One operator's live-update socket, from the first frame to the close. The
 * session alone parses frames (a bad one gets an error frame and 1002, never a
 * silent drop), handles them in arrival order (the auth check is async), and
 * owns the auth and token-expiry timers.
 */
export class StreamSession {
  private state: State = 'awaiting_auth';
  private queue: Promise<void> = Promise.resolve();
  private authTimer?: NodeJS.Timeout;
  private expiryTimer?: NodeJS.Timeout;
  private unlisten?: () => void;
  private identity?: StreamIdentity;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly settled: { promise: Promise<void>; resolve: () => void };

  constructor(
    private readonly socket: StreamSocket,
    private readonly auth: StreamAuth,
    private readonly feed: EventFeed,
    private readonly options: StreamOptions,
    private readonly metrics: StreamMetrics,
    private readonly log: StreamLog,
    private readonly now: () => number = Date.now,
  ) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.settled = { promise, resolve };
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  start(): void {
    this.authTimer = setTimeout(() => {
      this.metrics.authFailed('auth_timeout');
      this.close(StreamCloseCode.AuthTimeout, `no auth frame within ${this.options.authTimeoutMs} ms`);
    }, this.options.authTimeoutMs);
  }

  /** Called for every frame the socket receives. */
  receive(text: string): void {
    if (this.state === 'closed') return;
    this.queue = this.queue
      .then(() => this.handle(text))
      .catch((err: Error) => {
        this.log.error(`stream ${this.who()}: ${err.message}`);
        this.close(StreamCloseCode.InternalError, 'internal error');
      });
  }

  /** Closes the socket and releases the subscription to the event feed. */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.finish();
    if (this.socket.isOpen()) this.socket.close(code, reason.slice(0, MAX_CLOSE_REASON));
  }

  /** The socket closed (by the peer, or after our own close). */
  socketClosed(): void {
    this.finish();
  }

  whenSettled(): Promise<void> {
    return this.settled.promise;
  }

  private finish(): void {
    if (this.state === 'closed') return;
    if (this.state === 'open') this.metrics.closed();
    this.state = 'closed';
    clearTimeout(this.authTimer);
    clearTimeout(this.expiryTimer);
    this.unlisten?.();
    this.subscriptions.clear();
    this.settled.resolve();
  }

  private async handle(text: string): Promise<void> {
    if (this.state === 'closed') return;
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
    clearTimeout(this.authTimer);
    if (!identity) {
      this.metrics.authFailed('unauthenticated');
      return this.reject(StreamCloseCode.Unauthorized, 'invalid credentials', frame.token !== undefined ? 'token' : 'apiKey');
    }
    this.identity = identity;
    this.state = 'open';
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
      if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) return this.send({ type: 'error', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`, field: null });
      this.subscriptions.set(key, sub);
    }
    this.send({ type: 'subscribed', ...sub });
  }

  private push(event: ExecutionUpdated): void {
    if (this.state !== 'open') return;
    for (const sub of this.subscriptions.values()) {
      if (!matches(sub, event)) continue;
      if (this.socket.bufferedBytes() > this.options.maxBufferedBytes) {
        this.log.warn(`stream ${this.who()}: client does not keep up; closing`);
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

  private who(): string {
    return this.identity ? `${this.identity.principal.kind} ${actorId(this.identity.principal)}` : '(unauthenticated)';
  }
}
