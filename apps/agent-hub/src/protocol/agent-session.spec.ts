import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentCloseCode, AgentErrorCode, AgentFeature, decodeHubFrame, frame, type AgentToHub, type HubToAgent } from '@fleetplane/contracts';
import { AgentSession } from './agent-session.js';
import type { AdmissionRefusalReason, ProtocolErrorReason, SessionHooks, SessionSocket } from './session-ports.js';

const TOKEN = 't'.repeat(43);
const timings = { helloTimeoutMs: 1_000, heartbeatIntervalMs: 500, telemetryIntervalMs: 2_000 };
const limits = { framesPerSecond: 20, bytesPerSecond: 10_000 };

class FakeSocket implements SessionSocket {
  sent: HubToAgent[] = [];
  closedWith?: { code: number; reason: string };
  send(text: string): void {
    const d = decodeHubFrame(text);
    if (!d.ok) throw new Error(`hub sent an invalid frame: ${d.reason}`);
    this.sent.push(d.message);
  }
  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
  }
  isOpen(): boolean {
    return this.closedWith === undefined;
  }
  types(): string[] {
    return this.sent.map((m) => m.type);
  }
}

function fakeHooks(overrides: Partial<SessionHooks> = {}) {
  const calls: string[] = [];
  const record = (call: string) => {
    calls.push(call);
    return Promise.resolve();
  };
  // One vi.fn per hook, typed by it: tests assert on these; the session gets them with `overrides` on top.
  const mocks = {
    authenticate: vi.fn<SessionHooks['authenticate']>((_id, token) => Promise.resolve(token === TOKEN)),
    beginHello: vi.fn<SessionHooks['beginHello']>(() => undefined),
    endHello: vi.fn<SessionHooks['endHello']>(() => undefined),
    endHandshake: vi.fn<SessionHooks['endHandshake']>(() => undefined),
    opened: vi.fn<SessionHooks['opened']>(() => record('opened')),
    result: vi.fn<SessionHooks['result']>((_s, f) => record(`result:${f.status}`)),
    output: vi.fn<SessionHooks['output']>((_s, f) => record(`output:${f.offset}`)),
    telemetry: vi.fn<SessionHooks['telemetry']>(() => record('telemetry')),
    closed: vi.fn<SessionHooks['closed']>((_s, code) => record(`closed:${code}`)),
  };
  const hooks: SessionHooks = { ...mocks, ...overrides };
  return { hooks, mocks, calls };
}

const hello = (token = TOKEN, agentId = 'web-1', features?: string[]) =>
  frame<AgentToHub>({
    type: 'HELLO',
    agentId,
    token,
    inventory: { site: 'par', os: 'linux', kernel: '6.1', version: '0.1.0', capabilities: ['exec'], containerEngine: '', labels: {} },
    ...(features ? { features } : {}),
  });
const output = (offset: number) =>
  frame<AgentToHub>({ type: 'OUTPUT', executionId: 'exec-1', stream: 'stdout', seq: 0, offset, data: Buffer.from('hi\n').toString('base64') });
const heartbeat = () => frame<AgentToHub>({ type: 'HEARTBEAT' });
const result = (status: 'RUNNING' | 'COMPLETED', executionId = 'exec-1') =>
  frame<AgentToHub>({ type: 'RESULT', executionId, status, ...(status === 'COMPLETED' ? { exitCode: 0, stdout: 'hello\n' } : {}) });

function setup(overrides: Partial<SessionHooks> = {}) {
  const socket = new FakeSocket();
  const { hooks, mocks, calls } = fakeHooks(overrides);
  const errors: ProtocolErrorReason[] = [];
  const frames: string[] = [];
  const refusals: AdmissionRefusalReason[] = [];
  const metrics = {
    frameReceived: (t: string) => void frames.push(t),
    protocolError: (r: ProtocolErrorReason) => void errors.push(r),
    admissionRefused: (r: AdmissionRefusalReason) => void refusals.push(r),
  };
  const log = { log: vi.fn(), warn: vi.fn(), error: vi.fn() };
  // Date.now is the fake timers' clock.
  const session = new AgentSession(socket, hooks, timings, metrics, log, limits, () => Date.now());
  session.start();
  return { session, socket, mocks, calls, errors, frames, refusals };
}

/** Lets the session's frame queue and hook promises run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe(AgentSession.name, () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('answers a valid HELLO with HELLO_ACK after presence is stored, carrying the intervals', async () => {
    const { session, socket, calls } = setup();
    session.receive(hello());
    await settle();
    expect(calls).toEqual(['opened']);
    expect(socket.types()).toEqual(['HELLO_ACK']);
    const ack = socket.sent[0];
    expect(ack).toMatchObject({ heartbeatIntervalMs: 500, telemetryIntervalMs: 2_000, sessionId: session.sessionId });
    expect(session.agentId).toBe('web-1');
    expect(session.isOpen).toBe(true);
  });

  it('uses the announced features it knows, says so in HELLO_ACK, and takes OUTPUT only from such a session', async () => {
    const { session, socket, calls } = setup();
    session.receive(hello(TOKEN, 'web-1', ['output', 'time-travel', 'cancel']));
    await settle();
    expect(socket.sent[0]).toMatchObject({ type: 'HELLO_ACK', features: ['cancel', 'output'] });
    expect(session.uses(AgentFeature.Cancel)).toBe(true);
    expect(session.uses(AgentFeature.ResultAck)).toBe(false);
    session.receive(output(0));
    await settle();
    expect(calls).toEqual(['opened', 'output:0']);
  });

  it('treats an agent without features as an older one: no features in HELLO_ACK, OUTPUT is a protocol error', async () => {
    const { session, socket, errors, mocks } = setup();
    session.receive(hello());
    await settle();
    expect(socket.sent[0]).not.toHaveProperty('features');
    session.receive(output(0));
    await settle();
    expect(mocks.output).not.toHaveBeenCalled();
    expect(errors).toEqual(['invalid_frame']);
    expect(socket.closedWith?.code).toBe(AgentCloseCode.ProtocolError);
  });

  it('closes with 4408 when no HELLO arrives in time, without touching presence', async () => {
    const { socket, mocks, errors } = setup();
    await vi.advanceTimersByTimeAsync(timings.helloTimeoutMs + 1);
    expect(socket.closedWith?.code).toBe(AgentCloseCode.HelloTimeout);
    expect(errors).toEqual(['hello_timeout']);
    expect(mocks.opened).not.toHaveBeenCalled();
    expect(mocks.closed).not.toHaveBeenCalled();
  });

  it('does not time out a session that sent its HELLO in time', async () => {
    const { session, socket } = setup();
    session.receive(hello());
    await settle();
    await vi.advanceTimersByTimeAsync(timings.helloTimeoutMs + 1);
    session.receive(heartbeat());
    await settle();
    expect(socket.closedWith).toBeUndefined();
  });

  it('closes with 4401 and the same reason for a bad token and an unknown agent', async () => {
    const bad = setup();
    bad.session.receive(hello('x'.repeat(43)));
    await settle();
    const unknown = setup({ authenticate: () => Promise.resolve(false) });
    unknown.session.receive(hello(TOKEN, 'nobody'));
    await settle();
    for (const s of [bad, unknown]) {
      expect(s.socket.closedWith).toEqual({ code: AgentCloseCode.Unauthorized, reason: 'unauthorized' });
      expect(s.socket.types()).toEqual([]);
      expect(s.mocks.opened).not.toHaveBeenCalled();
      expect(s.errors).toEqual(['unauthorized']);
    }
  });

  it.each([
    ['non-JSON', '{not json', 'not_json', /not JSON/],
    ['an unknown type', JSON.stringify({ v: 1, id: 'a', ts: new Date().toISOString(), type: 'REBOOT' }), 'unknown_type', /^type:/],
    ['a frame failing its schema', JSON.stringify({ v: 1, id: 'a', ts: 'yesterday', type: 'HEARTBEAT' }), 'invalid_frame', /^ts:/],
  ])('answers %s with an ERROR naming the problem, then closes with 1002', async (_what, raw, reason, message) => {
    const { session, socket, errors } = setup();
    session.receive(raw);
    await settle();
    expect(socket.sent).toHaveLength(1);
    expect(socket.sent[0]).toMatchObject({ type: 'ERROR', code: 'PROTOCOL_ERROR' });
    expect(socket.sent[0]?.type === 'ERROR' && socket.sent[0].message).toMatch(message);
    expect(socket.closedWith?.code).toBe(AgentCloseCode.ProtocolError);
    expect(errors).toEqual([reason]);
  });

  it('closes an open session with 1002 on a malformed frame and cleans up once', async () => {
    const { session, socket, calls } = setup();
    session.receive(hello());
    await settle();
    session.receive('[1,2');
    await settle();
    session.socketClosed(AgentCloseCode.ProtocolError);
    await session.whenSettled();
    expect(socket.closedWith?.code).toBe(AgentCloseCode.ProtocolError);
    expect(calls).toEqual(['opened', `closed:${AgentCloseCode.ProtocolError}`]);
  });

  it('refuses another protocol version with 4426', async () => {
    const { session, socket, errors } = setup();
    session.receive(JSON.stringify({ ...JSON.parse(hello()), v: 2 }));
    await settle();
    expect(socket.closedWith?.code).toBe(AgentCloseCode.UnsupportedVersion);
    expect(socket.types()).toEqual(['ERROR']);
    expect(errors).toEqual(['unsupported_version']);
  });

  it('requires HELLO as the first frame', async () => {
    const { session, socket, errors } = setup();
    session.receive(heartbeat());
    await settle();
    expect(socket.closedWith?.code).toBe(AgentCloseCode.ProtocolError);
    expect(errors).toEqual(['hello_required']);
  });

  it('notes when each frame arrived (lastFrameAtMs), with no hook and no timer per heartbeat', async () => {
    const { session, calls } = setup();
    session.receive(hello());
    await settle();
    const opened = session.lastFrameAtMs;
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(timings.heartbeatIntervalMs);
    session.receive(heartbeat());
    await settle();
    expect(session.lastFrameAtMs).toBe(opened + timings.heartbeatIntervalMs);
    expect(calls).toEqual(['opened']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes with 4410 when the shared sweep finds it idle, and cleans up', async () => {
    const { session, socket, calls, errors } = setup();
    session.receive(hello());
    await settle();
    session.idleTimedOut(1_500);
    expect(socket.closedWith).toEqual({ code: AgentCloseCode.IdleTimeout, reason: 'no frame for 1500 ms' });
    expect(errors).toEqual(['heartbeat_timeout']);
    await session.whenSettled();
    expect(calls.at(-1)).toBe(`closed:${AgentCloseCode.IdleTimeout}`);
  });

  it('closes with 4413 a peer sending more frames per second than the limit, before parsing them', async () => {
    const { session, socket, errors, frames } = setup();
    session.receive(hello());
    await settle();
    for (let i = 0; i < limits.framesPerSecond - 1; i++) session.receive(heartbeat());
    await settle();
    expect(socket.closedWith).toBeUndefined();
    session.receive(heartbeat());
    expect(socket.closedWith?.code).toBe(AgentCloseCode.InboundRateExceeded);
    expect(errors).toEqual(['inbound_rate']);
    await settle();
    expect(frames).toHaveLength(limits.framesPerSecond);
  });

  it('counts frames per 1-second window: a steady agent under the limit stays', async () => {
    const { session, socket } = setup();
    session.receive(hello());
    for (let second = 0; second < 5; second++) {
      for (let i = 0; i < limits.framesPerSecond - 1; i++) session.receive(heartbeat());
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(socket.closedWith).toBeUndefined();
  });

  it('closes with 4413 a peer sending more bytes per second than the limit', async () => {
    const { session, socket, errors } = setup();
    session.receive(hello());
    await settle();
    session.receive('x'.repeat(limits.bytesPerSecond));
    expect(socket.closedWith?.code).toBe(AgentCloseCode.InboundRateExceeded);
    expect(errors).toEqual(['inbound_rate']);
  });

  it('refuses a HELLO with 4429 and a retry-after hint when admission has no slot, before authenticating', async () => {
    const { session, socket, mocks, refusals } = setup({ beginHello: () => ({ reason: 'concurrent_hellos', retryAfterMs: 3_000 }) });
    session.receive(hello());
    await settle();
    expect(socket.closedWith).toEqual({ code: AgentCloseCode.TryAgainLater, reason: 'concurrent hellos; retry-after-ms=3000' });
    expect(refusals).toEqual(['concurrent_hellos']);
    expect(mocks.authenticate).not.toHaveBeenCalled();
    expect(mocks.endHello).not.toHaveBeenCalled();
  });

  it('gives its HELLO slot back once the HELLO was handled, accepted or not', async () => {
    const ok = setup();
    ok.session.receive(hello());
    await settle();
    expect(ok.mocks.beginHello).toHaveBeenCalledTimes(1);
    expect(ok.mocks.endHello).toHaveBeenCalledTimes(1);
    const bad = setup();
    bad.session.receive(hello('w'.repeat(43)));
    await settle();
    expect(bad.socket.closedWith?.code).toBe(AgentCloseCode.Unauthorized);
    expect(bad.mocks.endHello).toHaveBeenCalledTimes(1);
  });

  it('ends its admission handshake once: at HELLO_ACK, or at a close before it', async () => {
    const ok = setup();
    ok.session.receive(hello());
    await settle();
    expect(ok.socket.types()).toContain('HELLO_ACK');
    expect(ok.mocks.endHandshake).toHaveBeenCalledTimes(1);
    ok.session.close(1000, 'bye');
    await ok.session.whenSettled();
    expect(ok.mocks.endHandshake).toHaveBeenCalledTimes(1);
    const silent = setup();
    expect(silent.mocks.endHandshake).not.toHaveBeenCalled();
    silent.session.socketClosed(1006);
    await silent.session.whenSettled();
    expect(silent.mocks.endHandshake).toHaveBeenCalledTimes(1);
  });

  it('is closed with 4409 when replaced, stays silent to dispatches and cleans up', async () => {
    const { session, socket, calls } = setup();
    session.receive(hello());
    await settle();
    session.replace();
    await session.whenSettled();
    expect(socket.closedWith?.code).toBe(AgentCloseCode.Replaced);
    expect(session.replaced).toBe(true);
    expect(await session.deliver('{}')).toBe(false);
    expect(calls).toEqual(['opened', `closed:${AgentCloseCode.Replaced}`]);
  });

  it('closes with 4401 once a presence flush finds the credential rotated', async () => {
    const { session, socket, errors } = setup();
    session.receive(hello());
    await settle();
    session.applyStanding('revoked');
    expect(socket.closedWith).toEqual({ code: AgentCloseCode.Unauthorized, reason: 'unauthorized' });
    expect(errors).toEqual(['credential_revoked']);
  });

  it('closes with 4409 once a presence flush finds another session current (a missed agent.connected event)', async () => {
    const { session, socket } = setup();
    session.receive(hello());
    await settle();
    session.applyStanding('superseded');
    expect(socket.closedWith?.code).toBe(AgentCloseCode.Replaced);
    expect(session.replaced).toBe(true);
  });

  it('stays on a current standing', async () => {
    const { session, socket } = setup();
    session.receive(hello());
    await settle();
    session.applyStanding('current');
    expect(socket.closedWith).toBeUndefined();
  });

  it('handles frames strictly in order, even when storing one is slow', async () => {
    let releaseRunning!: () => void;
    const order: string[] = [];
    const { session } = setup({
      result: async (_s, f) => {
        if (f.status === 'RUNNING') await new Promise<void>((r) => (releaseRunning = r));
        order.push(f.status);
      },
    });
    session.receive(hello());
    session.receive(result('RUNNING'));
    session.receive(result('COMPLETED'));
    await settle();
    releaseRunning();
    await settle();
    expect(order).toEqual(['RUNNING', 'COMPLETED']);
  });

  it('asks the agent to resend a RESULT that could not be stored, keeping the session', async () => {
    const { session, socket } = setup({ result: async () => Promise.reject(new Error('nats down')) });
    session.receive(hello());
    const raw = result('COMPLETED');
    session.receive(raw);
    await settle();
    expect(socket.closedWith).toBeUndefined();
    expect(socket.sent[1]).toMatchObject({ type: 'ERROR', code: AgentErrorCode.NotStored, replyTo: (JSON.parse(raw) as { id: string }).id });
  });

  it('refuses a RESULT whose execution id is not subject-safe', async () => {
    const { session, socket, mocks, errors } = setup();
    session.receive(hello());
    session.receive(result('RUNNING', 'a.b.>'));
    await settle();
    expect(mocks.result).not.toHaveBeenCalled();
    expect(socket.closedWith?.code).toBe(AgentCloseCode.ProtocolError);
    expect(errors).toEqual(['invalid_frame']);
  });

  it('a dispatch racing the HELLO waits for it, then writes the frame after HELLO_ACK', async () => {
    let releaseOpen!: () => void;
    const { session, socket } = setup({ opened: () => new Promise<void>((r) => (releaseOpen = r)) });
    session.receive(hello());
    await settle();
    const delivered = session.deliver(frame<HubToAgent>({ type: 'HEARTBEAT' }));
    releaseOpen();
    expect(await delivered).toBe(true);
    expect(socket.types()).toEqual(['HELLO_ACK', 'HEARTBEAT']);
  });

  it('cleans up a session whose socket closed while it was being opened', async () => {
    let releaseOpen!: () => void;
    const { session, socket, calls } = setup({
      opened: () => new Promise<void>((r) => (releaseOpen = () => (calls.push('opened'), r()))),
    });
    session.receive(hello());
    await settle();
    session.socketClosed(1006);
    releaseOpen();
    await session.whenSettled();
    expect(calls).toEqual(['opened', 'closed:1006']);
    expect(socket.types()).toEqual([]);
  });

  it('counts well-formed frames by type', async () => {
    const { session, frames } = setup();
    session.receive(hello());
    session.receive(heartbeat());
    session.receive(result('RUNNING'));
    await settle();
    expect(frames).toEqual(['HELLO', 'HEARTBEAT', 'RESULT']);
  });
});
