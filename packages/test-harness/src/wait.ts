import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, type Child } from './children.js';

export const DEFAULT_READY_TIMEOUT_MS = 20_000;

/**
 * Polls `probe` until it returns true. Fails early if the server exits, and
 * on timeout; both errors quote the tail of the server's output because that
 * is where the reason is (port in use, bad flag, permissions).
 */
export async function waitUntilReady(
  what: string,
  child: Child,
  probe: () => Promise<boolean>,
  timeoutMs = DEFAULT_READY_TIMEOUT_MS,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (child.exit) {
      throw new Error(`${what} ${describeExit(child.exit)} before it was ready; output:\n${child.output.tail()}`);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(`${what} not ready within ${timeoutMs} ms${lastError ? ` (last probe error: ${lastError})` : ''}; output:\n${child.output.tail()}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Polls `fn` every 100 ms until `ok` holds for what it returned, and returns that; a throw counts
 * as "not yet". On timeout the error says what was awaited and what was seen last.
 */
export async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await fn();
      if (ok(last as T)) return last as T;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}
