import { closeReason } from './close-reason.js';
import type { SessionLog, SessionSocket } from './session-ports.js';

/** The close codes the base itself uses (RFC 6455 §7.4.1). */
export const WsCloseCode = {
  GoingAway: 1001,
  /** What `ws` reports when the peer's close frame carried no code. */
  NoStatus: 1005,
  InternalError: 1011,
} as const;

/** Every session starts in a handshake state of its own, may become `open`, and ends `closed`. */
export type WsSessionState<Handshake extends string> = Handshake | 'open' | 'closed';

export interface WsSessionOptions<Handshake extends string> {
  /** The state a new session is in: waiting for its first frame. */
  initial: Handshake;
  /** How long `start()` gives the peer to complete the handshake (until `markOpen()`). */
  firstFrameTimeoutMs: number;
}

/**
 * The plumbing every WebSocket session shares, so that each protocol class
 * holds only its protocol:
 * - frames are handled strictly in arrival order, one at a time, even when a
 *   handler awaits (a RUNNING result is stored before the COMPLETED that follows
 *   it); a handler that throws closes the socket with 1011;
 * - a first-frame timer closes a peer that does not complete its handshake;
 * - `close()` and `socketClosed()` are idempotent: the first runs `cleanUp()`
 *   once, and `whenSettled()` resolves after it, so a host can await the
 *   release of everything a session holds (presence, subscriptions).
 */
export abstract class WsSession<Handshake extends string, Socket extends SessionSocket = SessionSocket> {
  private current: WsSessionState<Handshake>;
  private queue: Promise<void> = Promise.resolve();
  private firstFrameTimer?: NodeJS.Timeout;
  private readonly firstFrameTimeoutMs: number;
  private readonly settled: Promise<void>;
  private resolveSettled!: () => void;

  protected constructor(
    protected readonly socket: Socket,
    protected readonly log: SessionLog,
    options: WsSessionOptions<Handshake>,
  ) {
    this.current = options.initial;
    this.firstFrameTimeoutMs = options.firstFrameTimeoutMs;
    this.settled = new Promise<void>((resolve) => (this.resolveSettled = resolve));
  }

  get isOpen(): boolean {
    return this.current === 'open';
  }

  /** Starts the first-frame timer; call once the socket is wired. */
  start(): void {
    this.firstFrameTimer = setTimeout(() => this.firstFrameTimedOut(this.firstFrameTimeoutMs), this.firstFrameTimeoutMs);
  }

  /** Called for every frame the socket receives. */
  receive(text: string): void {
    if (this.current === 'closed') return;
    this.frameArrived();
    this.queue = this.queue
      .then(() => (this.current === 'closed' ? undefined : this.handle(text)))
      .catch((err: Error) => {
        this.log.error(`${this.describe()}: ${err.message}`);
        this.close(WsCloseCode.InternalError, 'internal error');
      });
  }

  /** Closes the socket (the reason cut to what a close frame holds) and releases what the session holds. */
  close(code: number, reason: string): void {
    if (this.current === 'closed') return;
    this.finish(code);
    if (this.socket.isOpen()) this.socket.close(code, closeReason(reason));
  }

  /** The socket closed (by the peer, or after our own close). */
  socketClosed(code: number = WsCloseCode.NoStatus): void {
    this.finish(code);
  }

  /** Resolves once the session is closed and `cleanUp()` has finished. */
  whenSettled(): Promise<void> {
    return this.settled;
  }

  protected get state(): WsSessionState<Handshake> {
    return this.current;
  }

  /** Moves between handshake states; a closed session stays closed. */
  protected enter(state: Handshake): void {
    if (this.current !== 'closed') this.current = state;
  }

  /** The handshake is done: the session is open and the first-frame timer stops. */
  protected markOpen(): void {
    if (this.current === 'closed') return;
    this.current = 'open';
    clearTimeout(this.firstFrameTimer);
  }

  /** Handles one frame; the next waits until the returned promise settles. Never called once closed. */
  protected abstract handle(text: string): Promise<void> | void;

  /** No handshake within the timeout: typically count it and `close()` with the protocol's code. */
  protected abstract firstFrameTimedOut(timeoutMs: number): void;

  /**
   * Runs once, synchronously, when the session closes; `whenSettled()` waits for
   * the promise it returns. A failure is logged, never thrown.
   */
  protected abstract cleanUp(code: number, previous: WsSessionState<Handshake>): Promise<void> | void;

  /** Who the session is, for log lines ("agent web-1"). */
  protected abstract describe(): string;

  /** Runs as each frame arrives, before it waits in the queue (e.g. to re-arm an idle timer). */
  protected frameArrived(): void {}

  private finish(code: number): void {
    if (this.current === 'closed') return;
    const previous = this.current;
    this.current = 'closed';
    clearTimeout(this.firstFrameTimer);
    // The executor runs cleanUp now; a synchronous throw from it becomes a rejection, like an async one.
    const cleanup = new Promise<void>((resolve) => resolve(this.cleanUp(code, previous)));
    void cleanup.catch((err: Error) => this.log.error(`${this.describe()}: cleanup failed: ${err.message}`)).then(() => this.resolveSettled());
  }
}
