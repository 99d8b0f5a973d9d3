import type { StreamFeeds, StreamMetrics } from '../stream/stream-ports.js';

// Test doubles the StreamSession specs share (execution events, output, alerts, backups).

/** The socket as the session sees it: what was sent (parsed as a client would) and how it closed. */
export class FakeSocket {
  sent: unknown[] = [];
  closed?: { code: number; reason: string };
  buffered = 0;
  send(t: string) {
    this.sent.push(JSON.parse(t));
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
  isOpen() {
    return !this.closed;
  }
  bufferedBytes() {
    return this.buffered;
  }
}

/** A feed the test publishes to: execution events, alert transitions or backup updates. */
export class FakeFeed<E> {
  readonly listeners = new Set<(e: E) => void>();
  listen(l: (e: E) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  publish(e: E) {
    for (const l of this.listeners) l(e);
  }
}

export const noMetrics: StreamMetrics = {
  opened: () => undefined,
  closed: () => undefined,
  pushed: () => undefined,
  outputPushed: () => undefined,
  authFailed: () => undefined,
};
export const silentLog = { log: () => undefined, warn: () => undefined, error: () => undefined };
export const OPTIONS = { authTimeoutMs: 5000, maxBufferedBytes: 1000, recheckIntervalMs: 30_000 };

/** No execution events and no output: what a spec of another feed starts from. */
export const quietFeeds = (): StreamFeeds => ({
  events: { listen: () => () => undefined },
  outputs: { follow: () => ({ ready: Promise.resolve(), stop: () => undefined }) },
});
