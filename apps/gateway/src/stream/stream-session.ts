import { WsSession, type SessionLog, type WsSessionState } from '@fleetplane/service-kit/websocket';
import { actorId } from '../auth/principal.js';
import type { StreamAuth, StreamCredentials, StreamFeeds, StreamIdentity, StreamMetrics, StreamOptions, StreamSocket } from './stream-ports.js';
import {
  alertMatches,
  alertSubscriptionOf,
  decodeClientFrame,
  matches,
  MAX_SUBSCRIPTIONS,
  StreamCloseCode,
  type AlertEvent,
  type AlertSubscription,
  type AuthFrame,
  type BackupUpdated,
  type ExecutionOutput,
  type ExecutionUpdated,
  type OutputFrame,
  type ServerFrame,
  type SubscribeAlertsFrame,
  type UnsubscribeAlertsFrame,
  type SubscribeBackupsFrame,
  type SubscribeFrame,
  type Subscription,
} from './stream.protocol.js';

type Handshake = 'awaiting_auth';

// setTimeout takes at most a signed 32-bit delay; a longer one fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The close reason when the credentials stop passing while the socket is open. */
export const REVOKED_REASON = 'credentials revoked';

/**
 * One operator's live-update socket, from the first frame to the close. The
 * session alone parses frames (a bad one gets an error frame and 1002, never a
 * silent drop) and owns the expiry timer and the credentials re-check (on every
 * revocation event that concerns it, and every `recheckIntervalMs`: credentials
 * that no longer pass close it with 4401 `credentials revoked`); the base queues
 * frames in arrival order (the auth check is async) and runs the auth timer.
 */
export class StreamSession extends WsSession<Handshake, StreamSocket> {
  private expiryTimer?: NodeJS.Timeout;
  private recheckTimer?: NodeJS.Timeout;
  private unlisten?: () => void;
  private unwatch?: () => void;
  private identity?: StreamIdentity;
  private credentials?: StreamCredentials;
  /** A re-check under way, so that a burst of events costs one. */
  private rechecking?: Promise<void>;
  private recheckAgain = false;
  private readonly subscriptions = new Map<string, Subscription>();
  /** Executions whose output this socket follows, with the unsubscribe of each. */
  private readonly followed = new Map<string, () => void>();
  /** Alert filters; listening to the alert feed only once there is one. */
  private readonly alertSubscriptions = new Map<string, AlertSubscription>();
  private unlistenAlerts?: () => void;
  /** Backup job filters (a job id, or `*` for every job); listening to the backup feed only once there is one. */
  private readonly backupSubscriptions = new Set<string>();
  private unlistenBackups?: () => void;

  constructor(
    socket: StreamSocket,
    private readonly auth: StreamAuth,
    private readonly feeds: StreamFeeds,
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
    clearInterval(this.recheckTimer);
    this.unwatch?.();
    this.unlisten?.();
    this.unlistenAlerts?.();
    this.alertSubscriptions.clear();
    this.unlistenBackups?.();
    this.backupSubscriptions.clear();
    this.subscriptions.clear();
    for (const unfollow of this.followed.values()) unfollow();
    this.followed.clear();
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
    if (frame.type === 'subscribe_output' || frame.type === 'unsubscribe_output') return this.output(frame);
    if (frame.type === 'subscribe_alerts') return this.subscribeAlerts(frame);
    if (frame.type === 'unsubscribe_alerts') return this.unsubscribeAlerts(frame);
    if (frame.type === 'subscribe_backups') return this.subscribeBackups(frame);
    return this.subscribe(frame);
  }

  private async authenticate(frame: AuthFrame): Promise<void> {
    const credentials: StreamCredentials = frame.token !== undefined ? { token: frame.token } : { apiKey: frame.apiKey };
    const identity = await this.auth.authenticate(credentials);
    if (this.state !== 'awaiting_auth') return;
    if (!identity) {
      this.metrics.authFailed('unauthenticated');
      return this.reject(StreamCloseCode.Unauthorized, 'invalid credentials', frame.token !== undefined ? 'token' : 'apiKey');
    }
    this.identity = identity;
    this.credentials = credentials;
    this.markOpen();
    this.metrics.opened();
    if (identity.expiresAt !== null) this.armExpiry(identity.expiresAt);
    this.unwatch = this.auth.watch(identity.principal, () => void this.recheck());
    this.recheckTimer = setInterval(() => void this.recheck(), this.options.recheckIntervalMs);
    this.unlisten = this.feeds.events.listen((e) => this.push(e));
    this.send({ type: 'ready' });
  }

  private armExpiry(expiresAt: number): void {
    const left = expiresAt - this.now();
    if (left <= 0) {
      this.metrics.authFailed('token_expired');
      return this.close(StreamCloseCode.Unauthorized, this.credentials?.apiKey !== undefined ? 'api key expired' : 'token expired');
    }
    this.expiryTimer = setTimeout(() => this.armExpiry(expiresAt), Math.min(left, MAX_TIMER_MS));
  }

  /**
   * The auth frame's credentials checked again, as at the start. Closes with 4401 when they
   * no longer pass; a failing check (database down) leaves the socket open until the next.
   */
  private recheck(): Promise<void> {
    if (this.rechecking) {
      // An event during a check may concern a change the check did not see yet.
      this.recheckAgain = true;
      return this.rechecking;
    }
    this.rechecking = (async () => {
      do {
        this.recheckAgain = false;
        if (!this.isOpen || !this.credentials) return;
        let identity: StreamIdentity | null;
        try {
          identity = await this.auth.authenticate(this.credentials);
        } catch (err) {
          this.log.warn(`${this.describe()}: credentials re-check failed, kept open until the next: ${(err as Error).message}`);
          return;
        }
        if (!this.isOpen) return;
        if (!identity) {
          this.metrics.authFailed('credentials_revoked');
          return this.close(StreamCloseCode.Unauthorized, REVOKED_REASON);
        }
        this.identity = identity;
      } while (this.recheckAgain);
    })().finally(() => (this.rechecking = undefined));
    return this.rechecking;
  }

  private subscribe(frame: SubscribeFrame): void {
    const sub: Subscription = {
      ...(frame.commandId !== undefined ? { commandId: frame.commandId } : {}),
      ...(frame.agentId !== undefined ? { agentId: frame.agentId } : {}),
    };
    const key = `${sub.commandId ?? '*'}/${sub.agentId ?? '*'}`;
    if (!this.subscriptions.has(key)) {
      // Refused, not fatal: the socket keeps the subscriptions it has.
      if (this.subscriptionCount() >= MAX_SUBSCRIPTIONS)
        return this.send({ type: 'error', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`, field: null });
      this.subscriptions.set(key, sub);
    }
    this.send({ type: 'subscribed', ...sub });
  }

  /** Event filters, followed outputs and alert filters share the per-socket limit. */
  private subscriptionCount(): number {
    return this.subscriptions.size + this.followed.size + this.alertSubscriptions.size + this.backupSubscriptions.size;
  }

  private subscribeBackups(frame: SubscribeBackupsFrame): void {
    if (!this.identity || !this.feeds.backups || !this.auth.mayReadBackups?.(this.identity.principal))
      return this.send({ type: 'error', message: 'reading backup jobs needs role viewer and scope backups:read', field: 'type' });
    const key = frame.jobId ?? '*';
    if (!this.backupSubscriptions.has(key)) {
      if (this.subscriptionCount() >= MAX_SUBSCRIPTIONS)
        return this.send({ type: 'error', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`, field: null });
      this.backupSubscriptions.add(key);
      this.unlistenBackups ??= this.feeds.backups.listen((e) => this.pushBackup(e));
    }
    this.send({ type: 'backups_subscribed', ...(frame.jobId ? { jobId: frame.jobId } : {}) });
  }

  private pushBackup(event: BackupUpdated): void {
    if (!this.isOpen) return;
    if (!this.backupSubscriptions.has('*') && !this.backupSubscriptions.has(event.jobId)) return;
    if (!this.keepsUp()) return;
    this.send({ type: 'backup.updated', ...event });
    this.metrics.pushed();
  }

  private subscribeAlerts(frame: SubscribeAlertsFrame): void {
    if (!this.identity || !this.feeds.alerts || !this.auth.mayReadTelemetry?.(this.identity.principal))
      return this.send({ type: 'error', message: 'reading alerts needs role viewer and scope telemetry:read', field: 'type' });
    const { sub, key } = alertSubscriptionOf(frame);
    if (!this.alertSubscriptions.has(key)) {
      if (this.subscriptionCount() >= MAX_SUBSCRIPTIONS)
        return this.send({ type: 'error', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`, field: null });
      this.alertSubscriptions.set(key, sub);
      this.unlistenAlerts ??= this.feeds.alerts.listen((e) => this.pushAlert(e));
    }
    this.send({ type: 'alerts_subscribed', ...sub });
  }

  /** Ends the subscription with these filters; with none left, stops listening to the alert feed. */
  private unsubscribeAlerts(frame: UnsubscribeAlertsFrame): void {
    const { sub, key } = alertSubscriptionOf(frame);
    this.alertSubscriptions.delete(key);
    if (this.alertSubscriptions.size === 0) {
      this.unlistenAlerts?.();
      this.unlistenAlerts = undefined;
    }
    this.send({ type: 'alerts_unsubscribed', ...sub });
  }

  private pushAlert(event: AlertEvent): void {
    if (!this.isOpen) return;
    for (const sub of this.alertSubscriptions.values()) {
      if (!alertMatches(sub, event)) continue;
      if (!this.keepsUp()) return;
      this.send({ type: `alert.${event.transition}`, ...event });
      this.metrics.pushed();
      return;
    }
  }

  /**
   * Follows (or stops following) one execution's output. The gateway receives an execution's
   * chunks only while some socket follows it (OutputFeed), so idle executions cost nothing.
   */
  private async output(frame: OutputFrame): Promise<void> {
    const { executionId } = frame;
    if (frame.type === 'unsubscribe_output') {
      this.followed.get(executionId)?.();
      this.followed.delete(executionId);
      return this.send({ type: 'output_unsubscribed', executionId });
    }
    // Authentication already required it; asked again so that output never needs less than its REST route.
    if (!this.identity || !this.auth.mayReadCommands(this.identity.principal))
      return this.send({ type: 'error', message: 'reading command output needs role viewer and scope commands:read', field: 'executionId' });
    if (!this.followed.has(executionId)) {
      if (this.subscriptionCount() >= MAX_SUBSCRIPTIONS)
        return this.send({ type: 'error', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`, field: null });
      const { ready, stop } = this.feeds.outputs.follow(executionId, (chunk) => this.pushOutput(chunk));
      this.followed.set(executionId, stop);
      // Confirmed only once NATS routes the subject here: a client that reads the stored output
      // after output_subscribed misses no chunk between the two.
      await ready;
    }
    this.send({ type: 'output_subscribed', executionId });
  }

  private pushOutput(chunk: ExecutionOutput): void {
    if (!this.isOpen || !this.followed.has(chunk.executionId)) return;
    if (!this.keepsUp()) return;
    this.send({ type: 'execution.output', ...chunk });
    this.metrics.outputPushed();
  }

  /** False (and the socket closed with 1013) when the client is too far behind to be worth more frames. */
  private keepsUp(): boolean {
    if (this.socket.bufferedBytes() <= this.options.maxBufferedBytes) return true;
    this.log.warn(`${this.describe()}: client does not keep up; closing`);
    this.close(StreamCloseCode.TryAgainLater, 'client too slow; reconnect and re-read state');
    return false;
  }

  private push(event: ExecutionUpdated): void {
    if (!this.isOpen) return;
    for (const sub of this.subscriptions.values()) {
      if (!matches(sub, event)) continue;
      if (!this.keepsUp()) return;
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
