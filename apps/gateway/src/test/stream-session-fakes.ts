import { vi } from 'vitest';
import type { AlertEvent } from '@fleetplane/contracts';
import type { Principal } from '../auth/principal.js';
import type { StreamFeeds, StreamMetrics } from '../stream/stream-ports.js';
import type { BackupUpdated } from '../stream/stream.protocol.js';
import { StreamSession } from '../stream/stream-session.js';

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

export const viewer: Principal = { kind: 'user', userId: 'u-1', email: 'v@example.com', role: 'viewer', sessionId: 's-1' };

/**
 * A session authenticated as a viewer, with the one extra feed a spec is about (alerts or backup
 * jobs), and nothing sent yet. `mayReadTelemetry` (alerts) and `mayReadBackups` are asked on every subscribe, so a spec can
 * change its answer between frames. Needs `vi.useFakeTimers()`: `say` hands a frame in and lets
 * the session's promises settle.
 */
export async function openAuthenticatedSession(opts: {
  alerts?: FakeFeed<AlertEvent>;
  backups?: FakeFeed<BackupUpdated>;
  mayReadTelemetry?: () => boolean;
  mayReadBackups?: () => boolean;
}): Promise<{ socket: FakeSocket; session: StreamSession; say: (frame: unknown) => Promise<void> }> {
  const socket = new FakeSocket();
  const mayReadTelemetry = opts.mayReadTelemetry ?? (() => true);
  const mayReadBackups = opts.mayReadBackups ?? (() => true);
  const auth = {
    authenticate: () => Promise.resolve({ principal: viewer, expiresAt: null }),
    watch: () => () => undefined,
    mayReadCommands: () => true,
    mayReadTelemetry: () => mayReadTelemetry(),
    mayReadBackups: () => mayReadBackups(),
  };
  const feeds: StreamFeeds = { ...quietFeeds(), ...(opts.alerts ? { alerts: opts.alerts } : {}), ...(opts.backups ? { backups: opts.backups } : {}) };
  const session = new StreamSession(socket, auth, feeds, OPTIONS, noMetrics, silentLog, () => Date.now());
  const say = async (frame: unknown) => {
    session.receive(JSON.stringify(frame));
    await vi.advanceTimersByTimeAsync(0);
  };
  session.start();
  await say({ type: 'auth', token: 'good' });
  socket.sent = [];
  return { socket, session, say };
}
