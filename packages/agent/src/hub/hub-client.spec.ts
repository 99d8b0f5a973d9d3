import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { pino } from 'pino';
import {
  AgentCloseCode,
  decodeAgentFrame,
  frame,
  wsDataToText,
  type AgentToHub,
  type CancelFrame,
  type CommandFrame,
  type HubToAgent,
} from '@fleetplane/contracts';
import { HubClient, upgradeRefusal, type StopReason } from './hub-client.js';

const TOKEN = 't'.repeat(43);
const sample = {
  cpuPercent: 1,
  memoryUsedBytes: 1,
  memoryTotalBytes: 2,
  load: [0, 0, 0] as [number, number, number],
  diskUsedBytes: 1,
  diskTotalBytes: 2,
  uptimeSeconds: 1,
};

/** A scripted hub on loopback: records what agents send and lets the test answer. */
class FakeHub {
  readonly received: AgentToHub[] = [];
  readonly sockets: WebSocket[] = [];
  private readonly wss: WebSocketServer;
  onHello: (ws: WebSocket) => void = (ws) =>
    ws.send(frame<HubToAgent>({ type: 'HELLO_ACK', sessionId: `s${this.sockets.length}`, heartbeatIntervalMs: 30, telemetryIntervalMs: 40 }));

  constructor() {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.wss.on('connection', (ws) => {
      this.sockets.push(ws);
      ws.on('message', (data) => {
        const d = decodeAgentFrame(wsDataToText(data));
        if (!d.ok) throw new Error(`agent sent an invalid frame: ${d.reason}`);
        this.received.push(d.message);
        if (d.message.type === 'HELLO') this.onHello(ws);
      });
    });
  }

  async url(): Promise<string> {
    if (!this.wss.address()) await new Promise((r) => this.wss.once('listening', r));
    const addr = this.wss.address() as { port: number };
    return `ws://127.0.0.1:${addr.port}/agent/v1`;
  }

  of<T extends AgentToHub['type']>(type: T): Extract<AgentToHub, { type: T }>[] {
    return this.received.filter((f) => f.type === type) as Extract<AgentToHub, { type: T }>[];
  }

  close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

const until = async (cond: () => boolean, what: string) => {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe(HubClient.name, () => {
  let hub: FakeHub;
  let client: HubClient | undefined;
  let done: Promise<StopReason> | undefined;
  const commands: CommandFrame[] = [];
  const cancels: CancelFrame[] = [];
  const acks: string[] = [];
  let establishments = 0;

  const logged: Array<Record<string, unknown>> = [];
  const start = async () => {
    hub = new FakeHub();
    client = new HubClient({
      url: await hub.url(),
      agentId: 'web-1',
      token: TOKEN,
      inventory: { site: 'par', os: 'linux', kernel: '6', version: '0.1.0', capabilities: ['exec'], containerEngine: '', labels: {} },
      sample: () => Promise.resolve(sample),
      onCommand: (c) => commands.push(c),
      features: ['cancel', 'output', 'result-ack'],
      onCancel: (c) => cancels.push(c),
      onResultAck: (id) => acks.push(id),
      onEstablished: () => establishments++,
      log: pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) }),
      random: () => 0,
      backoff: { baseMs: 10, maxMs: 50, firstReconnectWindowMs: 20 },
    });
    done = client.run();
  };

  afterEach(async () => {
    client?.stop();
    await done;
    await hub.close();
    commands.length = 0;
    cancels.length = 0;
    acks.length = 0;
    establishments = 0;
    logged.length = 0;
  });

  it('waits the retry-after of a 4429 refusal (above its own cap) before trying again', async () => {
    await start();
    let refusals = 0;
    hub.onHello = (ws) => {
      if (refusals++ === 0) return ws.close(AgentCloseCode.TryAgainLater, 'too many connections; retry-after-ms=300');
      // A slow heartbeat: on a loaded machine a 30 ms one can miss its 90 ms pong deadline and reconnect.
      ws.send(frame<HubToAgent>({ type: 'HELLO_ACK', sessionId: 's-after', heartbeatIntervalMs: 1_000, telemetryIntervalMs: 60_000 }));
    };
    await until(() => establishments === 1, 'a session after the refusal');
    expect(hub.of('HELLO')).toHaveLength(2);
    // random() = 0: exactly the hint, although the policy's cap is 50 ms.
    expect(logged.find((l) => l['code'] === AgentCloseCode.TryAgainLater)).toMatchObject({ retryInMs: 300 });
  });

  it('says HELLO with its credential and inventory, then heartbeats and reports telemetry at the given intervals', async () => {
    await start();
    await until(() => hub.of('HEARTBEAT').length >= 2 && hub.of('TELEMETRY').length >= 1, 'heartbeats and telemetry');
    expect(hub.received[0]).toMatchObject({ type: 'HELLO', agentId: 'web-1', token: TOKEN, inventory: { site: 'par', capabilities: ['exec'] } });
    expect(hub.of('TELEMETRY')[0]?.sample).toEqual(sample);
  });

  it('hands COMMAND frames to the executor', async () => {
    await start();
    await until(() => hub.of('HELLO').length === 1 && hub.sockets.length === 1, 'hello');
    hub.sockets[0]!.send(
      frame<HubToAgent>({ type: 'COMMAND', executionId: 'e1', commandId: 'c1', verb: 'exec', params: { argv: ['true'] }, timeoutSeconds: 5 }),
    );
    await until(() => commands.length === 1, 'command');
    expect(commands[0]).toMatchObject({ executionId: 'e1', verb: 'exec' });
  });

  it.each([
    ['RESULT', { type: 'RESULT', executionId: 'e1', status: 'COMPLETED', exitCode: 0 }],
    ['OUTPUT', { type: 'OUTPUT', executionId: 'e1', stream: 'stdout', seq: 0, offset: 0, data: 'aGkK' }],
  ] as const)('sends the %s frame again, with the same frame id, when the hub could not store it', async (type, body) => {
    await start();
    // A slow heartbeat: the session must outlive the resend delay even on a loaded machine.
    hub.onHello = (ws) => ws.send(frame<HubToAgent>({ type: 'HELLO_ACK', sessionId: 's', heartbeatIntervalMs: 1_000, telemetryIntervalMs: 60_000 }));
    await until(() => establishments === 1, 'session');
    expect(client!.send(body)).toBe(true);
    await until(() => hub.of(type).length === 1, 'frame');
    const first = hub.of(type)[0]!;
    hub.sockets[0]!.send(frame<HubToAgent>({ type: 'ERROR', code: 'NOT_STORED', message: 'send it again', replyTo: first.id }));
    await until(() => hub.of(type).length === 2, 'resent frame');
    expect(hub.of(type)[1]).toEqual(first);
  });

  it('says a frame was not sent while disconnected, and tells the executor after every HELLO_ACK (it re-sends from its journal)', async () => {
    await start();
    await until(() => establishments === 1, 'session');
    let reconnected: WebSocket | undefined;
    hub.onHello = (ws) => (reconnected = ws); // no HELLO_ACK yet: the session is not established
    hub.sockets[0]!.close(AgentCloseCode.GoingAway, 'restart');
    await until(() => reconnected !== undefined, 'second HELLO');
    expect(client!.send({ type: 'RESULT', executionId: 'e2', status: 'FAILED', exitCode: 3 })).toBe(false);
    reconnected!.send(frame<HubToAgent>({ type: 'HELLO_ACK', sessionId: 's2', heartbeatIntervalMs: 30, telemetryIntervalMs: 40 }));
    await until(() => establishments === 2, 'second session');
    expect(hub.of('HELLO')).toHaveLength(2);
    expect(hub.of('RESULT')).toEqual([]);
  });

  it('announces its features and uses only those the hub names in HELLO_ACK', async () => {
    await start();
    hub.onHello = (ws) =>
      ws.send(
        frame<HubToAgent>({ type: 'HELLO_ACK', sessionId: 's', heartbeatIntervalMs: 30, telemetryIntervalMs: 40, features: ['output', 'unknown-thing'] }),
      );
    await until(() => establishments === 1, 'session');
    expect(hub.of('HELLO')[0]?.features).toEqual(['cancel', 'output', 'result-ack']);
    expect(client!.features()).toEqual({ cancel: false, output: true, resultAck: false });
  });

  it('treats a hub that names no features (an older one) as using none', async () => {
    await start();
    await until(() => establishments === 1, 'session');
    expect(client!.features()).toEqual({ cancel: false, output: false, resultAck: false });
  });

  it('hands CANCEL and RESULT_ACK to the executor', async () => {
    await start();
    await until(() => establishments === 1, 'session');
    hub.sockets[0]!.send(frame<HubToAgent>({ type: 'CANCEL', executionId: 'e1', graceMs: 100 }));
    hub.sockets[0]!.send(frame<HubToAgent>({ type: 'RESULT_ACK', executionId: 'e2' }));
    await until(() => cancels.length === 1 && acks.length === 1, 'cancel and ack');
    expect(cancels[0]).toMatchObject({ executionId: 'e1', graceMs: 100 });
    expect(acks).toEqual(['e2']);
  });

  it('stops for good when the hub refuses the credential (4401), without retrying', async () => {
    await start();
    hub.onHello = (ws) => ws.close(AgentCloseCode.Unauthorized, 'unauthorized');
    expect(await done).toBe('unauthorized');
    expect(hub.of('HELLO')).toHaveLength(1);
  });

  it('stops for good when an admin revoked or deleted the agent (4403), without retrying', async () => {
    await start();
    hub.onHello = (ws) => ws.close(AgentCloseCode.Revoked, 'revoked');
    expect(await done).toBe('unauthorized');
    expect(hub.of('HELLO')).toHaveLength(1);
  });

  it('treats an upgrade answered 503 with a hint like a 4429: waits the hint (above its cap) before the next attempt', async () => {
    hub = new FakeHub(); // afterEach closes it; this test talks to the front below
    // A hub front that refuses the first upgrade with 503 + retry-after-ms and drops the next one.
    let refused = 0;
    const front: Server = createServer();
    front.on('upgrade', (_req, socket) => {
      if (refused++ === 0) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nretry-after-ms: 250\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      socket.destroy();
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    const frontPort = (front.address() as { port: number }).port;
    const lines: Array<Record<string, unknown>> = [];
    client = new HubClient({
      url: `ws://127.0.0.1:${frontPort}/agent/v1`,
      agentId: 'web-1',
      token: TOKEN,
      inventory: { site: '', os: 'linux', kernel: '6', version: '0.1.0', capabilities: [], containerEngine: '', labels: {} },
      sample: () => Promise.resolve(sample),
      onCommand: () => undefined,
      log: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
      random: () => 0,
      backoff: { baseMs: 10, maxMs: 50, firstReconnectWindowMs: 20 },
    });
    done = client.run();
    await until(() => refused >= 2, 'a second attempt');
    client.stop();
    await done;
    front.closeAllConnections();
    await new Promise((r) => front.close(r));
    const refusal = lines.find((l) => l['code'] === AgentCloseCode.TryAgainLater);
    // random() = 0: exactly the hint, although the policy's cap is 50 ms; no "connection error" noise for it.
    expect(refusal).toMatchObject({ retryInMs: 250, reason: 'hub answered the upgrade with HTTP 503; retry-after-ms=250' });
    expect(lines.filter((l) => l['msg'] === 'could not connect to hub')[0]).toEqual(refusal);
    expect(lines.filter((l) => l['msg'] === 'hub connection error' && String(l['err']).includes('503'))).toEqual([]);
  });

  it('reads an upgrade refusal: 503/429 with a hint is a 4429, anything else a failed attempt', () => {
    expect(upgradeRefusal(503, { 'retry-after-ms': '1200' })).toEqual({
      code: AgentCloseCode.TryAgainLater,
      reason: 'hub answered the upgrade with HTTP 503; retry-after-ms=1200',
    });
    expect(upgradeRefusal(429, { 'retry-after': '2' }).code).toBe(AgentCloseCode.TryAgainLater);
    expect(upgradeRefusal(503, {})).toEqual({ code: 1006, reason: 'hub answered the upgrade with HTTP 503' });
    expect(upgradeRefusal(502, { 'retry-after-ms': '5' }).code).toBe(1006);
  });

  it('reconnects with backoff when the hub is unreachable at first', async () => {
    hub = new FakeHub();
    const url = await hub.url();
    await hub.close();
    client = new HubClient({
      url,
      agentId: 'web-1',
      token: TOKEN,
      inventory: { site: '', os: 'linux', kernel: '6', version: '0.1.0', capabilities: [], containerEngine: '', labels: {} },
      sample: () => Promise.resolve(sample),
      onCommand: () => undefined,
      log: pino({ level: 'silent' }),
      backoff: { baseMs: 10, maxMs: 50, firstReconnectWindowMs: 20 },
    });
    done = client.run();
    await new Promise((r) => setTimeout(r, 100));
    const port = Number(new URL(url).port);
    const revived = new WebSocketServer({ host: '127.0.0.1', port });
    const hello = new Promise<string>((resolve) => revived.on('connection', (ws) => ws.once('message', (d) => resolve(wsDataToText(d)))));
    expect(decodeAgentFrame(await hello)).toMatchObject({ ok: true, message: { type: 'HELLO', agentId: 'web-1' } });
    client.stop();
    await done;
    for (const ws of revived.clients) ws.terminate();
    await new Promise((r) => revived.close(() => r(undefined)));
    hub = new FakeHub(); // afterEach closes it
  });
});
