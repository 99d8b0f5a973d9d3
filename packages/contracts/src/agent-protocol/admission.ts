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
