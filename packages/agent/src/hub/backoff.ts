import { AgentCloseCode, parseRetryAfterMs } from '@fleetplane/contracts';

export interface BackoffPolicy {
  /** Smallest delay between two failed attempts. */
  baseMs: number;
  /** Largest delay between two failed attempts (a hub's retry-after hint may ask for more). */
  maxMs: number;
  /**
   * The first reconnect after an established session dropped waits a uniform
   * random time in [0, firstReconnectWindowMs]: when a hub dies, its whole fleet
   * drops in the same instant, and this spreads their return over the window.
   */
  firstReconnectWindowMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000, firstReconnectWindowMs: 10_000 };

/**
 * When the agent next tries the hub: "decorrelated jitter" (AWS Architecture
 * Blog, "Exponential Backoff And Jitter": `sleep = min(cap, random(base, prev * 3))`),
 * which spreads a fleet better than a doubling step with jitter and, unlike a
 * counter, does not fall back to near zero after a drop: a dropped session
 * starts from a random point of the first-reconnect window, and each failure
 * grows from the previous delay. A refusal's retry-after hint is a floor.
 */
export class ReconnectSchedule {
  private prevMs: number;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    this.prevMs = policy.baseMs;
  }

  /**
   * The wait after a connection closed with `code` and `reason`: a 4429 refusal's
   * retry-after hint, a dropped session's spread, or a failed attempt's growth.
   * The one decision the reference agent (and the fleet simulator) makes.
   */
  afterClose(code: number, reason: string, established: boolean): number {
    const retryAfterMs = code === AgentCloseCode.TryAgainLater ? parseRetryAfterMs(reason) : undefined;
    if (retryAfterMs !== undefined) return this.afterRefusal(retryAfterMs);
    return established ? this.afterDrop() : this.afterFailure();
  }

  /** An established session dropped (hub crash, restart, network): the first attempt is spread over the window. */
  afterDrop(): number {
    const delay = this.between(0, this.policy.firstReconnectWindowMs);
    this.prevMs = Math.max(this.policy.baseMs, delay);
    return delay;
  }

  /** An attempt failed (refused connect, closed before HELLO_ACK): grow from the previous delay. */
  afterFailure(): number {
    const { baseMs, maxMs } = this.policy;
    const delay = Math.min(maxMs, this.between(baseMs, Math.max(baseMs, this.prevMs * 3)));
    this.prevMs = delay;
    return delay;
  }

  /**
   * The hub refused with 4429 and asked for `retryAfterMs`: wait that long plus up
   * to as much again, so a fleet refused together does not come back together.
   */
  afterRefusal(retryAfterMs: number): number {
    const delay = this.between(retryAfterMs, retryAfterMs * 2);
    this.prevMs = Math.max(this.policy.baseMs, Math.min(this.policy.maxMs, delay));
    return delay;
  }

  private between(lo: number, hi: number): number {
    return Math.round(lo + this.random() * (hi - lo));
  }
}
