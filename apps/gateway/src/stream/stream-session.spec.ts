import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../auth/principal.js';
import type { OutputFeed, StreamCredentials, StreamIdentity, StreamMetrics } from './stream-ports.js';
import { FakeFeed, FakeSocket, noMetrics, OPTIONS, silentLog } from '../test/stream-session-fakes.js';
import { StreamSession } from './stream-session.js';
import { MAX_SUBSCRIPTIONS, type ExecutionOutput, type ExecutionUpdated } from './stream.protocol.js';

/** Followers per execution id, as ExecutionOutputFeed keeps them (one NATS subscription each). */
class FakeOutputs implements OutputFeed {
  readonly followers = new Map<string, Set<(c: ExecutionOutput) => void>>();
  follow(executionId: string, l: (c: ExecutionOutput) => void) {
    const set = this.followers.get(executionId) ?? new Set();
    set.add(l);
    this.followers.set(executionId, set);
    const stop = () => {
      set.delete(l);
      if (set.size === 0) this.followers.delete(executionId);
    };
    return { ready: Promise.resolve(), stop };
  }
  publish(c: ExecutionOutput) {
    for (const l of this.followers.get(c.executionId) ?? []) l(c);
  }
}

const chunk = (c: Partial<ExecutionOutput>): ExecutionOutput => ({
  executionId: 'e-1',
  agentId: 'agent-1',
  stream: 'stdout',
  seq: 0,
  offset: 0,
  data: Buffer.from('hello\n').toString('base64'),
  ...c,
});

const viewer: Principal = { kind: 'user', userId: 'u-1', email: 'v@example.com', role: 'viewer', sessionId: 's-1' };
const COMMAND_A = '11111111-1111-4111-8111-111111111111';
const COMMAND_B = '22222222-2222-4222-8222-222222222222';
const event = (e: Partial<ExecutionUpdated>): ExecutionUpdated => ({
  commandId: COMMAND_A,
  executionId: 'e-1',
  agentId: 'agent-1',
  state: 'RUNNING',
  at: '2026-03-01T12:00:00.000Z',
  ...e,
});

describe(StreamSession.name, () => {
  let socket: FakeSocket;
  let feed: FakeFeed<ExecutionUpdated>;
  let outputs: FakeOutputs;
  let mayRead: boolean;
  let seen: StreamCredentials[];
  let identity: StreamIdentity | null;
  let counts: Record<string, number>;
  let session: StreamSession;
  let watched: Principal[];
  /** The revocation callback the session registered, until it unwatches. */
  let revoke: (() => void) | undefined;
  let checkFails: boolean;
  const T0 = Date.parse('2026-03-01T12:00:00Z');

  const settle = () => vi.advanceTimersByTimeAsync(0);
  const say = async (frame: unknown) => {
    session.receive(typeof frame === 'string' ? frame : JSON.stringify(frame));
    await settle();
  };
  const authenticated = async () => {
    await say({ type: 'auth', token: 'good' });
    expect(socket.sent).toEqual([{ type: 'ready' }]);
    socket.sent = [];
  };

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    socket = new FakeSocket();
    feed = new FakeFeed<ExecutionUpdated>();
    outputs = new FakeOutputs();
    mayRead = true;
    seen = [];
    watched = [];
    revoke = undefined;
    checkFails = false;
    identity = { principal: viewer, expiresAt: T0 + 900_000 };
    counts = { opened: 0, closed: 0, pushed: 0, outputPushed: 0, authFailed: 0 };
    const metrics: StreamMetrics = {
      opened: () => counts.opened!++,
      closed: () => counts.closed!++,
      pushed: () => counts.pushed!++,
      outputPushed: () => counts.outputPushed!++,
      authFailed: () => counts.authFailed!++,
    };
    const auth = {
      authenticate: (c: StreamCredentials) => (seen.push(c), checkFails ? Promise.reject(new Error('database down')) : Promise.resolve(identity)),
      watch: (p: Principal, recheck: () => void) => {
        watched.push(p);
        revoke = recheck;
        return () => (revoke = undefined);
      },
      mayReadCommands: () => mayRead,
    };
    session = new StreamSession(socket, auth, { events: feed, outputs }, OPTIONS, metrics, silentLog, () => Date.now());
    session.start();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers good credentials with ready and counts the client', async () => {
    await authenticated();
    expect(seen).toEqual([{ token: 'good', apiKey: undefined }]);
    expect(session.isOpen).toBe(true);
    expect(counts.opened).toBe(1);
  });

  it('accepts an API key', async () => {
    identity = { principal: { kind: 'api_key', apiKeyId: 'k-1', userId: 'u-1', role: 'viewer', scopes: ['commands:read'] }, expiresAt: null };
    await say({ type: 'auth', apiKey: 'fp_abc_def' });
    expect(socket.sent).toEqual([{ type: 'ready' }]);
    expect(seen).toEqual([{ token: undefined, apiKey: 'fp_abc_def' }]);
  });

  it('closes 4401 on bad credentials, naming the field', async () => {
    identity = null;
    await say({ type: 'auth', apiKey: 'fp_bad' });
    expect(socket.sent).toEqual([{ type: 'error', message: 'invalid credentials', field: 'apiKey' }]);
    expect(socket.closed?.code).toBe(4401);
    expect(counts).toMatchObject({ opened: 0, authFailed: 1 });
  });

  it('closes 4408 when no auth frame comes in time', async () => {
    await vi.advanceTimersByTimeAsync(4999);
    expect(socket.closed).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.closed?.code).toBe(4408);
  });

  it('closes 4401 when the first frame is not auth', async () => {
    await say({ type: 'subscribe', commandId: COMMAND_A });
    expect(socket.sent).toEqual([{ type: 'error', message: 'the first frame must be auth', field: 'type' }]);
    expect(socket.closed?.code).toBe(4401);
    expect(seen).toEqual([]);
  });

  it('answers a malformed frame with an error naming the field, then 1002', async () => {
    await authenticated();
    await say({ type: 'subscribe', commandId: 'not-a-uuid' });
    // Vitest types asymmetric matchers as `any`; `as unknown` keeps the matcher opaque instead of leaking `any`.
    expect(socket.sent).toEqual([{ type: 'error', message: expect.stringContaining('uuid') as unknown, field: 'commandId' }]);
    expect(socket.closed?.code).toBe(1002);
    expect(counts.closed).toBe(1);
    expect(feed.listeners.size).toBe(0);
  });

  it.each([
    ['not JSON', '{nope', 'frame'],
    ['an array', '[1]', 'frame'],
    ['an unknown type', { type: 'unsubscribe' }, 'type'],
    ['an unknown field', { type: 'subscribe', commandid: COMMAND_A }, 'commandid'],
    ['both credentials', { type: 'auth', token: 'a', apiKey: 'b' }, 'token'],
  ])('rejects %s with 1002', async (_, frame, field) => {
    await say(frame);
    expect(socket.sent).toEqual([{ type: 'error', message: expect.any(String) as unknown, field }]);
    expect(socket.closed?.code).toBe(1002);
  });

  it('refuses a second auth frame', async () => {
    await authenticated();
    await say({ type: 'auth', token: 'good' });
    expect(socket.sent).toEqual([{ type: 'error', message: 'already authenticated', field: 'type' }]);
    expect(socket.closed?.code).toBe(1002);
  });

  it('pushes only events matching a subscription, once each', async () => {
    await authenticated();
    await say({ type: 'subscribe', commandId: COMMAND_A });
    await say({ type: 'subscribe', agentId: 'agent-1' });
    expect(socket.sent).toEqual([
      { type: 'subscribed', commandId: COMMAND_A },
      { type: 'subscribed', agentId: 'agent-1' },
    ]);
    socket.sent = [];
    feed.publish(event({ state: 'DISPATCHED' }));
    feed.publish(event({ commandId: COMMAND_B, agentId: 'agent-2' }));
    feed.publish(event({ commandId: COMMAND_B, agentId: 'agent-1', state: 'COMPLETED', exitCode: 0 }));
    expect(socket.sent).toEqual([
      { type: 'execution.updated', ...event({ state: 'DISPATCHED' }) },
      { type: 'execution.updated', ...event({ commandId: COMMAND_B, agentId: 'agent-1', state: 'COMPLETED', exitCode: 0 }) },
    ]);
    expect(counts.pushed).toBe(2);
  });

  it('with an empty subscription pushes everything; both filters must match when given together', async () => {
    await authenticated();
    await say({ type: 'subscribe', commandId: COMMAND_A, agentId: 'agent-2' });
    feed.publish(event({}));
    expect(socket.sent).toEqual([{ type: 'subscribed', commandId: COMMAND_A, agentId: 'agent-2' }]);
    await say({ type: 'subscribe' });
    feed.publish(event({ commandId: COMMAND_B }));
    expect(socket.sent.at(-1)).toEqual({ type: 'execution.updated', ...event({ commandId: COMMAND_B }) });
  });

  it('pushes nothing before ready', () => {
    feed.publish(event({}));
    expect(socket.sent).toEqual([]);
  });

  it(`refuses the subscription after ${MAX_SUBSCRIPTIONS}, keeping the socket and those it has`, async () => {
    await authenticated();
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) session.receive(JSON.stringify({ type: 'subscribe', agentId: `agent-${i}` }));
    await settle();
    await say({ type: 'subscribe', agentId: 'agent-1' }); // already held: not a new one
    await say({ type: 'subscribe', agentId: 'one-too-many' });
    expect(socket.sent.at(-2)).toEqual({ type: 'subscribed', agentId: 'agent-1' });
    expect(socket.sent.at(-1)).toEqual({ type: 'error', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`, field: null });
    expect(socket.closed).toBeUndefined();
    feed.publish(event({ agentId: 'agent-99' }));
    expect(socket.sent.at(-1)).toMatchObject({ type: 'execution.updated', agentId: 'agent-99' });
  });

  describe('output of an execution', () => {
    it('follows it from subscribe_output to unsubscribe_output, pushing each chunk as it comes', async () => {
      await authenticated();
      await say({ type: 'subscribe_output', executionId: 'e-1' });
      expect(socket.sent).toEqual([{ type: 'output_subscribed', executionId: 'e-1' }]);
      expect([...outputs.followers.keys()]).toEqual(['e-1']);
      outputs.publish(chunk({ seq: 0, offset: 0 }));
      outputs.publish(chunk({ executionId: 'e-2' }));
      outputs.publish(chunk({ seq: 1, offset: 6, stream: 'stderr' }));
      expect(socket.sent.slice(1)).toEqual([
        { type: 'execution.output', ...chunk({ seq: 0, offset: 0 }) },
        { type: 'execution.output', ...chunk({ seq: 1, offset: 6, stream: 'stderr' }) },
      ]);
      expect(counts.outputPushed).toBe(2);
      await say({ type: 'unsubscribe_output', executionId: 'e-1' });
      expect(socket.sent.at(-1)).toEqual({ type: 'output_unsubscribed', executionId: 'e-1' });
      expect(outputs.followers.size).toBe(0);
      outputs.publish(chunk({ seq: 2, offset: 12 }));
      expect(socket.sent).toHaveLength(4);
    });

    it('follows an execution once however often it is asked, and stops when the socket closes', async () => {
      await authenticated();
      await say({ type: 'subscribe_output', executionId: 'e-1' });
      await say({ type: 'subscribe_output', executionId: 'e-1' });
      await say({ type: 'subscribe_output', executionId: 'e-2' });
      outputs.publish(chunk({}));
      expect(socket.sent.filter((f) => (f as { type: string }).type === 'execution.output')).toHaveLength(1);
      session.socketClosed();
      expect(outputs.followers.size).toBe(0);
    });

    it('refuses a principal that may not read commands, without closing the socket', async () => {
      await authenticated();
      mayRead = false;
      await say({ type: 'subscribe_output', executionId: 'e-1' });
      expect(socket.sent).toEqual([{ type: 'error', message: 'reading command output needs role viewer and scope commands:read', field: 'executionId' }]);
      expect(socket.closed).toBeUndefined();
      expect(outputs.followers.size).toBe(0);
    });

    it('refuses an execution id that is not one subject token, naming the field (the id goes into a NATS subject)', async () => {
      await authenticated();
      await say({ type: 'subscribe_output', executionId: 'e-1.>' });
      expect(socket.sent[0]).toMatchObject({ type: 'error', field: 'executionId' });
      expect(socket.closed?.code).toBe(1002);
      expect(outputs.followers.size).toBe(0);
    });

    it('counts followed outputs against the subscription limit', async () => {
      await authenticated();
      for (let i = 0; i < MAX_SUBSCRIPTIONS - 1; i++) session.receive(JSON.stringify({ type: 'subscribe', agentId: `agent-${i}` }));
      await settle();
      await say({ type: 'subscribe_output', executionId: 'e-1' });
      expect(socket.sent.at(-1)).toEqual({ type: 'output_subscribed', executionId: 'e-1' });
      await say({ type: 'subscribe_output', executionId: 'e-2' });
      expect(socket.sent.at(-1)).toEqual({ type: 'error', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`, field: null });
      expect([...outputs.followers.keys()]).toEqual(['e-1']);
    });

    it('closes 1013 when the client does not keep up with the output', async () => {
      await authenticated();
      await say({ type: 'subscribe_output', executionId: 'e-1' });
      socket.buffered = 1001;
      outputs.publish(chunk({}));
      expect(socket.closed?.code).toBe(1013);
      expect(outputs.followers.size).toBe(0);
    });
  });

  it('closes 4401 when the access token expires', async () => {
    identity = { principal: viewer, expiresAt: T0 + 60_000 };
    await authenticated();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(socket.closed).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.closed).toEqual({ code: 4401, reason: 'token expired' });
    expect(counts).toMatchObject({ opened: 1, closed: 1 });
  });

  it('does not expire an API key session', async () => {
    identity = { principal: viewer, expiresAt: null };
    await authenticated();
    await vi.advanceTimersByTimeAsync(30 * 24 * 3600_000);
    expect(socket.closed).toBeUndefined();
  });

  it('closes a client that does not keep up (1013)', async () => {
    await authenticated();
    await say({ type: 'subscribe' });
    socket.buffered = 1001;
    feed.publish(event({}));
    expect(socket.closed?.code).toBe(1013);
  });

  it('handles frames in order while the auth check is pending', async () => {
    let release!: (i: StreamIdentity) => void;
    const slow = new StreamSession(
      socket,
      { authenticate: () => new Promise<StreamIdentity>((r) => (release = r)), watch: () => () => undefined, mayReadCommands: () => true },
      { events: feed, outputs },
      OPTIONS,
      noMetrics,
      silentLog,
      () => Date.now(),
    );
    slow.receive(JSON.stringify({ type: 'auth', token: 'good' }));
    slow.receive(JSON.stringify({ type: 'subscribe', commandId: COMMAND_A }));
    await settle();
    expect(socket.sent).toEqual([]);
    release({ principal: viewer, expiresAt: null });
    await settle();
    expect(socket.sent).toEqual([{ type: 'ready' }, { type: 'subscribed', commandId: COMMAND_A }]);
  });

  it('stops listening once the peer goes away', async () => {
    await authenticated();
    session.socketClosed();
    expect(feed.listeners.size).toBe(0);
    expect(counts.closed).toBe(1);
    await expect(session.whenSettled()).resolves.toBeUndefined();
  });

  it('closes 1011 when the auth check itself fails', async () => {
    const broken = new StreamSession(
      socket,
      { authenticate: async () => Promise.reject(new Error('database down')), watch: () => () => undefined, mayReadCommands: () => true },
      { events: feed, outputs },
      OPTIONS,
      noMetrics,
      silentLog,
      () => Date.now(),
    );
    broken.receive(JSON.stringify({ type: 'auth', token: 'good' }));
    await settle();
    expect(socket.closed?.code).toBe(1011);
  });

  describe('credentials revoked while open', () => {
    it('re-checks on a revocation that concerns it, and closes 4401 "credentials revoked" when they no longer pass', async () => {
      await authenticated();
      expect(watched).toEqual([viewer]);
      identity = null;
      revoke!();
      await settle();
      expect(socket.closed).toEqual({ code: 4401, reason: 'credentials revoked' });
      expect(seen).toHaveLength(2);
      expect(revoke).toBeUndefined(); // unwatched on close
    });

    it('stays open when the re-check still passes (a demoted key capped, not revoked)', async () => {
      await authenticated();
      revoke!();
      await settle();
      expect(socket.closed).toBeUndefined();
      expect(seen).toHaveLength(2);
    });

    it('re-checks on its own every recheckIntervalMs, the safety net for a missed event', async () => {
      await authenticated();
      await vi.advanceTimersByTimeAsync(29_999);
      expect(seen).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(seen).toHaveLength(2);
      expect(socket.closed).toBeUndefined();
      identity = null;
      await vi.advanceTimersByTimeAsync(30_000);
      expect(socket.closed).toEqual({ code: 4401, reason: 'credentials revoked' });
      expect(counts).toMatchObject({ opened: 1, closed: 1 });
    });

    it('runs one re-check for a burst of events, and one more for events during it', async () => {
      await authenticated();
      revoke!();
      revoke!();
      revoke!();
      await settle();
      expect(seen).toHaveLength(3);
    });

    it('keeps the socket open when the re-check itself fails, and tries again at the next', async () => {
      await authenticated();
      checkFails = true;
      revoke!();
      await settle();
      expect(socket.closed).toBeUndefined();
      checkFails = false;
      identity = null;
      await vi.advanceTimersByTimeAsync(30_000);
      expect(socket.closed?.reason).toBe('credentials revoked');
    });

    it('closes a key session when the key expires', async () => {
      identity = { principal: { kind: 'api_key', apiKeyId: 'k-1', userId: 'u-1', role: 'viewer', scopes: ['commands:read'] }, expiresAt: T0 + 5_000 };
      await say({ type: 'auth', apiKey: 'fp_abc_def' });
      await vi.advanceTimersByTimeAsync(5_000);
      expect(socket.closed).toEqual({ code: 4401, reason: 'api key expired' });
    });

    it('stops re-checking once closed', async () => {
      await authenticated();
      session.socketClosed();
      await vi.advanceTimersByTimeAsync(90_000);
      expect(seen).toHaveLength(1);
    });
  });
});
