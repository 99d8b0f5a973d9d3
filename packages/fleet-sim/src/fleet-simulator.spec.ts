import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AgentCloseCode,
  decodeAgentFrame,
  frame,
  tryAgainLaterReason,
  wireResultStatus,
  wsDataToText,
  type AgentToHub,
  type HubToAgent,
} from '@fleetplane/contracts';
import { FleetSimulator } from './fleet-simulator.js';

/** A fake hub: records every decoded frame per agent and lets the test answer HELLOs its way. */
class FakeHub {
  readonly frames = new Map<string, AgentToHub[]>();
  readonly sockets = new Map<string, WebSocket>();
  hellos = 0;
  private readonly wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  readonly listening = new Promise<void>((resolve) => this.wss.once('listening', () => resolve()));

  constructor(private readonly onHello: (agentId: string, ws: WebSocket, nth: number) => void = (_id, ws) => FakeHub.ack(ws)) {
    this.wss.on('connection', (ws) => {
      let agentId = '';
      ws.on('message', (data) => {
        const d = decodeAgentFrame(wsDataToText(data));
        if (!d.ok) throw new Error(`simulator sent an invalid frame: ${d.reason}`);
        if (d.message.type === 'HELLO') {
          agentId = d.message.agentId;
          this.sockets.set(agentId, ws);
          this.onHello(agentId, ws, ++this.hellos);
        }
        this.frames.set(agentId, [...(this.frames.get(agentId) ?? []), d.message]);
      });
    });
  }

  static ack(ws: WebSocket, heartbeatIntervalMs = 150, features?: string[]): void {
    ws.send(frame<HubToAgent>({ type: 'HELLO_ACK', sessionId: 's', heartbeatIntervalMs, telemetryIntervalMs: 150, ...(features ? { features } : {}) }));
  }

  static async start(onHello?: (agentId: string, ws: WebSocket, nth: number) => void): Promise<FakeHub> {
    const hub = new FakeHub(onHello);
    await hub.listening;
    return hub;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/agent/v1`;
  }

  of(agentId: string, type: AgentToHub['type']): AgentToHub[] {
    return (this.frames.get(agentId) ?? []).filter((f) => f.type === type);
  }

  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

const creds = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `sim-${i}`, token: `token-of-sim-${i}-0123456789` }));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never: ${what}`);
}

describe('FleetSimulator against a fake hub', () => {
  let hub: FakeHub;
  let sim: FleetSimulator | undefined;
  afterEach(async () => {
    await sim?.stop(1_000);
    await hub.close();
  });

  it('says HELLO with each credential and a plausible inventory, then heartbeats and telemetry at the hub’s intervals', async () => {
    hub = await FakeHub.start();
    sim = new FleetSimulator(creds(5), { hubUrl: hub.url, tickMs: 20 });
    sim.start();
    await sim.whenAllConnected(5_000);
    await until(() => [0, 1, 2, 3, 4].every((i) => hub.of(`sim-${i}`, 'HEARTBEAT').length >= 2 && hub.of(`sim-${i}`, 'TELEMETRY').length >= 1), 'heartbeats');
    const hello = hub.of('sim-3', 'HELLO')[0];
    expect(hello).toMatchObject({
      type: 'HELLO',
      agentId: 'sim-3',
      token: 'token-of-sim-3-0123456789',
      inventory: { os: 'linux', labels: { simulated: 'true' } },
    });
    const s = sim.summary();
    expect(s).toMatchObject({ agents: 5, connected: 5, everConnected: 5, helloAcks: 5, connectAttempts: 5, reconnects: 0 });
    expect(s.heartbeatsSent).toBeGreaterThanOrEqual(10);
  });

  it('answers a COMMAND with RUNNING and then its output, or FAILED at the failure rate', async () => {
    hub = await FakeHub.start();
    sim = new FleetSimulator(creds(2), { hubUrl: hub.url, tickMs: 20, telemetryMs: -1, command: { latencyMs: 10, outputBytes: 200, failureRate: 0 } });
    sim.start();
    await sim.whenAllConnected(5_000);
    hub.sockets
      .get('sim-1')!
      .send(frame<HubToAgent>({ type: 'COMMAND', executionId: 'exec-1', commandId: 'cmd-1', verb: 'exec', params: { argv: ['uptime'] }, timeoutSeconds: 5 }));
    await until(() => hub.of('sim-1', 'RESULT').length === 2, 'two results');
    const [running, done] = hub.of('sim-1', 'RESULT');
    expect(running).toMatchObject({ executionId: 'exec-1', status: 'RUNNING' });
    expect(done).toMatchObject({ executionId: 'exec-1', status: 'COMPLETED', exitCode: 0 });
    expect(done?.type === 'RESULT' && done.stdout).toMatch(/^simulated exec on sim-1\n/);
    expect(done?.type === 'RESULT' && done.stdout?.length).toBe(200);
    expect(hub.of('sim-1', 'TELEMETRY')).toEqual([]);
    expect(sim.summary()).toMatchObject({ commandsReceived: 1, commandsAnswered: 1, commandsFailed: 0 });
  });

  it('fails every command at failure rate 1', async () => {
    hub = await FakeHub.start();
    sim = new FleetSimulator(creds(1), { hubUrl: hub.url, tickMs: 20, command: { latencyMs: 0, failureRate: 1 } });
    sim.start();
    await sim.whenAllConnected(5_000);
    hub.sockets
      .get('sim-0')!
      .send(frame<HubToAgent>({ type: 'COMMAND', executionId: 'exec-2', commandId: 'cmd-2', verb: 'exec', params: {}, timeoutSeconds: 5 }));
    await until(() => hub.of('sim-0', 'RESULT').length === 2, 'two results');
    expect(hub.of('sim-0', 'RESULT')[1]).toMatchObject({ status: 'FAILED', exitCode: 1 });
    expect(sim.summary()).toMatchObject({ commandsAnswered: 1, commandsFailed: 1 });
  });

  it('counts a 4429 refusal by code and comes back; gives up on a refused credential', async () => {
    hub = await FakeHub.start((agentId, ws, nth) => {
      if (agentId === 'sim-0') ws.close(AgentCloseCode.Unauthorized, 'unauthorized');
      else if (nth <= 2) ws.close(AgentCloseCode.TryAgainLater, tryAgainLaterReason(50));
      else FakeHub.ack(ws);
    });
    sim = new FleetSimulator(creds(2), { hubUrl: hub.url, tickMs: 20 });
    sim.start();
    await until(() => sim!.summary().connected === 1 && sim!.summary().gaveUp.unauthorized === 1, 'sim-1 connected, sim-0 gave up');
    const s = sim.summary();
    expect(s.refusedByCode[String(AgentCloseCode.TryAgainLater)]).toBeGreaterThanOrEqual(1);
    expect(s.refusedByCode[String(AgentCloseCode.Unauthorized)]).toBe(1);
    expect(s.everConnected).toBe(1);
    expect(s.reconnects).toBeGreaterThanOrEqual(1);
    expect(hub.of('sim-0', 'HELLO')).toHaveLength(1);
  });

  it('counts an upgrade refused with HTTP 503 under 503, waits its hint and comes back (never gives up)', async () => {
    hub = await FakeHub.start(); // afterEach closes it; the agents talk to the front below
    const wss = new WebSocketServer({ noServer: true });
    wss.on('connection', (ws) => ws.once('message', () => FakeHub.ack(ws, 60_000)));
    let upgrades = 0;
    const front = createServer();
    front.on('upgrade', (req, socket, head) => {
      if (++upgrades <= 2) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nretry-after-ms: 40\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    try {
      sim = new FleetSimulator(creds(1), { hubUrl: `ws://127.0.0.1:${(front.address() as AddressInfo).port}/agent/v1`, tickMs: 10 });
      sim.start();
      await sim.whenAllConnected(5_000);
      expect(sim.summary()).toMatchObject({ refusedByCode: { '503': 2 }, socketErrors: {}, gaveUp: {}, reconnects: 2, connected: 1 });
      await sim.stop(1_000);
    } finally {
      for (const ws of wss.clients) ws.terminate();
      front.closeAllConnections();
      await new Promise((r) => front.close(r));
    }
  });

  it('reconnects an agent whose session dropped and counts the drop by code', async () => {
    hub = await FakeHub.start();
    // The first reconnect after a drop is spread over a window (10 s by default); a short one here.
    sim = new FleetSimulator(creds(1), { hubUrl: hub.url, tickMs: 20, backoff: { firstReconnectWindowMs: 100 } });
    sim.start();
    await sim.whenAllConnected(5_000);
    hub.sockets.get('sim-0')!.close(AgentCloseCode.Replaced, 'replaced');
    await until(() => hub.of('sim-0', 'HELLO').length === 2 && sim!.summary().connected === 1, 'reconnected');
    expect(sim.summary()).toMatchObject({ droppedByCode: { [AgentCloseCode.Replaced]: 1 }, reconnects: 1, helloAcks: 2 });
  });

  describe('with a hub that uses the fleet-command features', () => {
    const FEATURES = ['cancel', 'output', 'result-ack'];
    const command = (agentId: string, executionId: string) =>
      hub.sockets
        .get(agentId)!
        .send(frame<HubToAgent>({ type: 'COMMAND', executionId, commandId: 'cmd-f', verb: 'exec', params: { argv: ['uptime'] }, timeoutSeconds: 5 }));
    const finals = (agentId: string, executionId: string) =>
      hub.of(agentId, 'RESULT').filter((f) => f.type === 'RESULT' && f.executionId === executionId && f.status !== 'RUNNING');

    it('announces the features, streams the output as OUTPUT and keeps only a summary in the RESULT', async () => {
      hub = await FakeHub.start((_id, ws) => FakeHub.ack(ws, 150, FEATURES));
      sim = new FleetSimulator(creds(1), { hubUrl: hub.url, tickMs: 20, telemetryMs: -1, command: { latencyMs: 5, outputBytes: 300, failureRate: 0 } });
      sim.start();
      await sim.whenAllConnected(5_000);
      expect(hub.of('sim-0', 'HELLO')[0]).toMatchObject({ features: FEATURES });
      command('sim-0', 'out-1');
      await until(() => finals('sim-0', 'out-1').length === 1, 'result');
      const [output] = hub.of('sim-0', 'OUTPUT');
      expect(output).toMatchObject({ executionId: 'out-1', stream: 'stdout', seq: 0, offset: 0 });
      expect(output?.type === 'OUTPUT' && Buffer.from(output.data, 'base64').length).toBe(300);
      expect(finals('sim-0', 'out-1')[0]).toMatchObject({ stdout: 'simulated exec on sim-0\n', truncated: true, outputBytes: { stdout: 300, stderr: 0 } });
    });

    it('answers a CANCEL of a command in flight with CANCELLED instead of its result, and ignores one for nothing', async () => {
      hub = await FakeHub.start((_id, ws) => FakeHub.ack(ws, 150, FEATURES));
      sim = new FleetSimulator(creds(1), { hubUrl: hub.url, tickMs: 20, telemetryMs: -1, command: { latencyMs: 60_000, outputBytes: 10, failureRate: 0 } });
      sim.start();
      await sim.whenAllConnected(5_000);
      command('sim-0', 'long-1');
      await until(() => hub.of('sim-0', 'RESULT').length === 1, 'running');
      hub.sockets.get('sim-0')!.send(frame<HubToAgent>({ type: 'CANCEL', executionId: 'long-1' }));
      hub.sockets.get('sim-0')!.send(frame<HubToAgent>({ type: 'CANCEL', executionId: 'unknown' }));
      await until(() => finals('sim-0', 'long-1').length === 1, 'cancelled');
      // CANCELLED once the protocol's RESULT carries it (contracts' wireResultStatus), FAILED until then.
      expect(finals('sim-0', 'long-1')[0]).toMatchObject({ status: wireResultStatus('CANCELLED', true), error: 'cancelled' });
      expect(sim.summary()).toMatchObject({ commandsCancelled: 1, commandsAnswered: 0 });
    });

    it('re-sends a final RESULT after each reconnect until RESULT_ACK, and never runs a repeated COMMAND again', async () => {
      hub = await FakeHub.start((_id, ws) => FakeHub.ack(ws, 150, FEATURES));
      sim = new FleetSimulator(creds(1), {
        hubUrl: hub.url,
        tickMs: 20,
        telemetryMs: -1,
        backoff: { firstReconnectWindowMs: 50 },
        command: { latencyMs: 5, outputBytes: 10, failureRate: 0 },
      });
      sim.start();
      await sim.whenAllConnected(5_000);
      command('sim-0', 'ack-1');
      await until(() => finals('sim-0', 'ack-1').length === 1, 'result');
      command('sim-0', 'ack-1');
      await until(() => finals('sim-0', 'ack-1').length === 2, 'result again for the repeated COMMAND');
      hub.sockets.get('sim-0')!.close(AgentCloseCode.GoingAway, 'restart');
      await until(() => finals('sim-0', 'ack-1').length === 3, 're-sent after reconnect');
      hub.sockets.get('sim-0')!.send(frame<HubToAgent>({ type: 'RESULT_ACK', executionId: 'ack-1' }));
      await until(() => sim!.summary().resultAcks === 1, 'ack');
      hub.sockets.get('sim-0')!.close(AgentCloseCode.GoingAway, 'restart');
      await until(() => hub.of('sim-0', 'HELLO').length === 3 && sim!.summary().connected === 1, 'third session');
      expect(sim.summary()).toMatchObject({ commandsReceived: 2, commandsAnswered: 1, resultsResent: 1 });
      expect(finals('sim-0', 'ack-1')).toHaveLength(3);
    });
  });
});
