import type { RateDecision } from './gcra-store.js';
import type { Quota } from './rate-limiter.js';
import type { RateSpec } from './rate-spec.js';

/** Below this many requests left (or this share of the limit, whichever is more), a check waits for Redis. */
const MIN_SLACK = 10;
const SLACK_SHARE = 0.1;
/** Keys remembered; past it the map starts over (a flood of distinct ips must not grow it without bound). */
const MAX_KEYS = 50_000;

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * What this instance last heard from Redis about each key, so that a request far from its limit
 * is answered at once while Redis counts it in the background: every request is still counted
 * in the shared bucket, but only the ones near the limit wait a round trip for the verdict.
 * A key with more than its slack left (10 % of the limit, at least 10) is spent locally; at or
 * below it, or unknown, the check waits as before — so a small limit is always exact, and a large
 * one can be overshot by at most the requests in flight when another instance used up the slack.
 * Only for classes that fail open (reads, writes, stream connects): those would be served without
 * a verdict during an outage anyway. Sign-in always waits.
 */
export class Headroom {
  private readonly known = new Map<string, { limit: number; remaining: number; resetAtMs: number }>();

  /** The quota to answer with now, counting the request locally; null when the check must wait for Redis. */
  spend(key: string, spec: RateSpec, nowMs: number): Quota | null {
    const k = this.known.get(key);
    if (!k || k.limit !== spec.limit) return null;
    if (k.remaining <= Math.max(MIN_SLACK, Math.ceil(spec.limit * SLACK_SHARE))) return null;
    k.remaining--;
    return { limit: k.limit, remaining: k.remaining, resetSeconds: seconds(k.resetAtMs - nowMs) };
  }

  /** Redis's verdict on a request of `key`; a refusal forgets the key, so the next request waits. */
  learn(key: string, d: RateDecision, nowMs: number): void {
    if (!d.allowed) {
      this.known.delete(key);
      return;
    }
    if (this.known.size >= MAX_KEYS && !this.known.has(key)) this.known.clear();
    this.known.set(key, { limit: d.limit, remaining: d.remaining, resetAtMs: nowMs + d.resetMs });
  }

  forget(key: string): void {
    this.known.delete(key);
  }
}
