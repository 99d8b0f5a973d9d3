/**
 * The retry-after hint of a 4429 (TryAgainLater) close. It travels in the close
 * reason, the only text a close frame carries, as `retry-after-ms=<integer>`
 * anywhere in the reason (e.g. `try again later; retry-after-ms=5000`), so a
 * human reading a log sees it too and a parser needs no other framing.
 */
const RETRY_AFTER = /(?:^|[\s;])retry-after-ms=(\d{1,9})(?:$|[\s;])/;

/** The close reason of a refusal that asks the agent to wait `retryAfterMs` before its next attempt. */
export function tryAgainLaterReason(retryAfterMs: number, why = 'try again later'): string {
  return `${why}; retry-after-ms=${Math.max(0, Math.round(retryAfterMs))}`;
}

/** The hint of a 4429 close reason, or undefined when it carries none. */
export function parseRetryAfterMs(reason: string): number | undefined {
  const m = RETRY_AFTER.exec(reason);
  return m ? Number(m[1]) : undefined;
}

/**
 * A hub refuses excess WebSocket upgrades before building a WebSocket: a plain
 * HTTP 503 whose `retry-after-ms` header carries the hint in milliseconds and
 * whose `Retry-After` carries it in whole seconds (rounded up) for proxies and
 * people. An agent treats it exactly as a 4429 close with that hint.
 */
export const RETRY_AFTER_MS_HEADER = 'retry-after-ms';

/** The status and headers of a refused upgrade that asks for `retryAfterMs`. */
export function upgradeRefusalHeaders(retryAfterMs: number): Record<string, string> {
  const ms = Math.max(0, Math.round(retryAfterMs));
  return { 'Retry-After': String(Math.ceil(ms / 1_000)), [RETRY_AFTER_MS_HEADER]: String(ms) };
}

const single = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim();

/**
 * The hint of an HTTP answer to an upgrade (header names in lower case, as
 * Node gives them): undefined unless it is a 503 or 429 that carries one. The
 * milliseconds header wins; `Retry-After` counts only as whole seconds (an
 * HTTP date is not honoured: a hub never sends one).
 */
export function parseUpgradeRetryAfterMs(statusCode: number, headers: Record<string, string | string[] | undefined>): number | undefined {
  if (statusCode !== 503 && statusCode !== 429) return undefined;
  const ms = single(headers[RETRY_AFTER_MS_HEADER]);
  if (ms !== undefined && /^\d{1,9}$/.test(ms)) return Number(ms);
  const seconds = single(headers['retry-after']);
  if (seconds !== undefined && /^\d{1,6}$/.test(seconds)) return Number(seconds) * 1_000;
  return undefined;
}
