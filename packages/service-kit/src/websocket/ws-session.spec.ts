import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeReason, MAX_CLOSE_REASON_BYTES } from './close-reason.js';
import type { SessionSocket } from './session-ports.js';
import { WsCloseCode, WsSession, type WsSessionState } from './ws-session.js';

class FakeSocket implements SessionSocket {
  sent: string[] = [];
  closes: { code: number; reason: string }[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }
  isOpen(): boolean {
    return this.closes.length === 0;
  }
}

/**
 * The smallest protocol on the base: the first frame "hello" opens the
 * session, every frame goes to `onFrame` (which may await or throw).
 */
class EchoSession extends WsSession<'waiting'> {
  readonly cleanups: { code: number; previous: WsSessionState<'waiting'> }[] = [];
  onFrame: (text: string) => Promise<void> | void = (text) => void this.socket.send(text);
  cleanUpWith: () => Promise<void> | void = () => undefined;

  constructor(
    socket: SessionSocket,
    override readonly log = { log: vi.fn(), warn: vi.fn(), error: vi.fn() },
  ) {
    super(socket, log, { initial: 'waiting', firstFrameTimeoutMs: 1_000 });
  }
  protected override async handle(text: string): Promise<void> {
    if (text === 'hello') return this.markOpen();
    await this.onFrame(text);
  }
  protected override firstFrameTimedOut(timeoutMs: number): void {
    this.close(4408, `no hello within ${timeoutMs} ms`);
  }
  protected override cleanUp(code: number, previous: WsSessionState<'waiting'>): Promise<void> | void {
    this.cleanups.push({ code, previous });
    return this.cleanUpWith();
  }
  protected override describe(): string {
    return 'echo';
  }
}

const settle = () => vi.advanceTimersByTimeAsync(0);

describe(WsSession.name, () => {
  let socket: FakeSocket;
  let session: EchoSession;

  beforeEach(() => {
    vi.useFakeTimers();
    socket = new FakeSocket();
    session = new EchoSession(socket);
    session.start();
  });
  afterEach(() => vi.useRealTimers());

  it('handles frames one at a time in arrival order, even when a handler awaits', async () => {
    const release: (() => void)[] = [];
    const seen: string[] = [];
    session.onFrame = async (text) => {
      seen.push(`start ${text}`);
      if (text === 'slow') await new Promise<void>((r) => release.push(r));
      seen.push(`end ${text}`);
    };
    session.receive('slow');
    session.receive('fast');
    await settle();
    expect(seen).toEqual(['start slow']);
    release[0]!();
    await settle();
    expect(seen).toEqual(['start slow', 'end slow', 'start fast', 'end fast']);
  });

  it('closes with 1011 when a handler throws, logs why, and drops the frames queued behind it', async () => {
    session.onFrame = (text) => {
      if (text === 'boom') throw new Error('database down');
      socket.send(text);
    };
    session.receive('boom');
    session.receive('after');
    await settle();
    expect(socket.closes).toEqual([{ code: WsCloseCode.InternalError, reason: 'internal error' }]);
    expect(session.log.error).toHaveBeenCalledWith('echo: database down');
    expect(socket.sent).toEqual([]);
    session.receive('late');
    await settle();
    expect(socket.sent).toEqual([]);
  });

  it('closes once and cleans up once, whichever of close() and socketClosed() comes first or again', async () => {
    session.receive('hello');
    await settle();
    session.close(4000, 'first');
    session.close(4001, 'second');
    session.socketClosed(4000);
    await session.whenSettled();
    expect(socket.closes).toEqual([{ code: 4000, reason: 'first' }]);
    expect(session.cleanups).toEqual([{ code: 4000, previous: 'open' }]);
    expect(session.isOpen).toBe(false);
  });

  it('cleans up with the peer’s code when the peer closes first, and does not write to the closed socket', async () => {
    socket.closes.push({ code: 1006, reason: '' }); // the socket is gone
    session.socketClosed(1006);
    session.close(1001, 'shutting down');
    await session.whenSettled();
    expect(socket.closes).toHaveLength(1);
    expect(session.cleanups).toEqual([{ code: 1006, previous: 'waiting' }]);
  });

  it('cuts a close reason to 123 bytes without splitting a multi-byte character', () => {
    const reason = 'a' + '€'.repeat(50); // 151 bytes; byte 120 falls inside the 40th euro sign
    session.close(1002, reason);
    const sent = socket.closes[0]!.reason;
    expect(Buffer.byteLength(sent, 'utf8')).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(sent).toBe('a' + '€'.repeat(39) + '...');
    expect(sent).not.toContain('\uFFFD');
  });

  it('keeps a close reason that fits, counting bytes rather than characters', () => {
    expect(closeReason('x'.repeat(123))).toBe('x'.repeat(123));
    expect(closeReason('é'.repeat(61))).toBe('é'.repeat(61)); // 122 bytes
    expect(closeReason('é'.repeat(62))).toBe('é'.repeat(60) + '...'); // 124 bytes: 120 + "..."
    expect(closeReason('😀'.repeat(31))).toBe('😀'.repeat(30) + '...'); // 4-byte characters
  });

  it('closes a peer that does not complete the handshake in time', async () => {
    await vi.advanceTimersByTimeAsync(999);
    expect(socket.closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.closes).toEqual([{ code: 4408, reason: 'no hello within 1000 ms' }]);
    expect(session.cleanups).toEqual([{ code: 4408, previous: 'waiting' }]);
  });

  it('stops the first-frame timer once the session is open', async () => {
    session.receive('hello');
    await settle();
    expect(session.isOpen).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket.closes).toEqual([]);
  });

  it('resolves whenSettled only after the cleanup has finished', async () => {
    let finishCleanup!: () => void;
    session.cleanUpWith = () => new Promise<void>((r) => (finishCleanup = r));
    let settled = false;
    void session.whenSettled().then(() => (settled = true));
    session.socketClosed(1000);
    await settle();
    expect(settled).toBe(false);
    finishCleanup();
    await settle();
    expect(settled).toBe(true);
  });

  it('logs a failed cleanup and settles anyway', async () => {
    session.cleanUpWith = () => Promise.reject(new Error('nats gone'));
    session.socketClosed();
    await session.whenSettled();
    expect(session.cleanups).toEqual([{ code: WsCloseCode.NoStatus, previous: 'waiting' }]);
    expect(session.log.error).toHaveBeenCalledWith('echo: cleanup failed: nats gone');
  });
});
