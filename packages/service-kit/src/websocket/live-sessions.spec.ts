import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { LiveSessions } from './live-sessions.js';
import type { SessionSocket } from './session-ports.js';
import type { WsConnection } from './ws-connection.js';
import { WsCloseCode, WsSession } from './ws-session.js';

/** A `ws` WebSocket as far as the host uses it. */
class FakeWs extends EventEmitter implements WsConnection {
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
  close(code: number): void {
    this.readyState = 3;
    // `ws` reports the close asynchronously, as here.
    setImmediate(() => this.emit('close', code));
  }
}

class EchoSession extends WsSession<'waiting'> {
  constructor(socket: SessionSocket) {
    super(socket, { log: () => undefined, warn: () => undefined, error: () => undefined }, { initial: 'waiting', firstFrameTimeoutMs: 60_000 });
  }
  protected override handle(text: string): void {
    this.socket.send(`echo ${text}`);
  }
  protected override firstFrameTimedOut(): void {}
  protected override cleanUp(): void {}
  protected override describe(): string {
    return 'echo';
  }
}

const host = (onFrameTooBig = vi.fn()) => {
  const log = { log: vi.fn(), warn: vi.fn(), error: vi.fn() };
  return { live: new LiveSessions<EchoSession>({ log, onFrameTooBig }), log, onFrameTooBig };
};

describe(LiveSessions.name, () => {
  it('feeds each message to the session as text, fragments included', async () => {
    const { live } = host();
    const ws = new FakeWs();
    live.accept(ws, (socket) => new EchoSession(socket));
    ws.emit('message', Buffer.from('one'));
    ws.emit('message', [Buffer.from('t'), Buffer.from('wo')]);
    await new Promise((r) => setImmediate(r));
    expect(ws.sent).toEqual(['echo one', 'echo two']);
  });

  it('forgets a session once its socket has closed', async () => {
    const { live } = host();
    const ws = new FakeWs();
    const session = live.accept(ws, (socket) => new EchoSession(socket));
    expect(live.size).toBe(1);
    ws.emit('close', 1000);
    await session.whenSettled();
    await Promise.resolve();
    expect(live.size).toBe(0);
  });

  it('counts an oversize frame and logs every socket error', () => {
    const { live, log, onFrameTooBig } = host();
    const ws = new FakeWs();
    live.accept(ws, (socket) => new EchoSession(socket));
    ws.emit('error', Object.assign(new Error('Max payload size exceeded'), { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }));
    ws.emit('error', new Error('read ECONNRESET'));
    expect(onFrameTooBig).toHaveBeenCalledOnce();
    expect(log.warn).toHaveBeenCalledTimes(2);
  });

  it('on shutdown closes every session with 1001 and waits until each has settled', async () => {
    const { live } = host();
    const sockets = [new FakeWs(), new FakeWs()];
    const closed: number[] = [];
    for (const ws of sockets) {
      ws.on('close', (code: number) => closed.push(code));
      live.accept(ws, (socket) => new EchoSession(socket));
    }
    await live.closeAll('shutting down');
    expect(sockets.map((ws) => ws.readyState)).toEqual([3, 3]);
    await new Promise((r) => setImmediate(r));
    expect(closed).toEqual([WsCloseCode.GoingAway, WsCloseCode.GoingAway]);
    expect(live.size).toBe(0);
  });
});
