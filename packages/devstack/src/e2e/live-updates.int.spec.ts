import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { wsDataToText } from '@fleetplane/contracts';
import { startInfra, type Infra } from '@fleetplane/test-harness';
import { startFleet, type Fleet } from '../fleet.js';
import { GatewayClient } from '../gateway-client.js';

// The live path through real processes: agent-hub → JetStream → command (state change)
// → NATS execution.updated → gateway → the operator's WebSocket.
const admin = { email: 'admin@live.test', password: 'correct horse battery staple' };
const AGENT = 'live-agent';

/** A frame from the gateway's stream; the tests read only these fields. */
interface Frame {
  type: string;
  state?: string;
  commandId?: string;
  [field: string]: unknown;
}

/** A stream client that keeps every frame it receives, in order. */
class StreamClient {
  private readonly frames: Frame[] = [];
  private readonly waiting: ((f: Frame) => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(wsDataToText(data)) as Frame;
      const w = this.waiting.shift();
      if (w) w(f);
      else this.frames.push(f);
    });
  }

  static async open(url: string): Promise<StreamClient> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new StreamClient(ws);
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  next(): Promise<Frame> {
    const queued = this.frames.shift();
    return queued ? Promise.resolve(queued) : new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    this.ws.terminate();
  }
}

describe('live updates, end to end', () => {
  let infra: Infra;
  let fleet: Fleet;
  let gateway: GatewayClient;
  let accessToken: string;

  beforeAll(async () => {
    infra = await startInfra();
    fleet = await startFleet({ infra, admin, jwtSecret: 'live-secret-that-is-long-enough-0123456789' });
    gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(admin.email, admin.password);
    const { token } = await gateway.enrollAgent(AGENT, 'e2e');
    await fleet.startAgent({ id: AGENT, token });
    await gateway.waitForAgent(AGENT);
    // The stream authenticates with its own access token, as an operator's console would.
    const res = await fetch(`${fleet.gatewayUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    });
    accessToken = ((await res.json()) as { accessToken: string }).accessToken;
  });

  afterAll(async () => {
    await fleet?.stop();
    await infra?.stop();
  });

  it('pushes DISPATCHED, RUNNING and COMPLETED of a submitted command to a subscribed client, in order', async () => {
    const stream = await StreamClient.open(`${fleet.gatewayUrl.replace('http', 'ws')}/api/v1/stream`);
    try {
      stream.send({ type: 'auth', token: accessToken });
      expect(await stream.next()).toEqual({ type: 'ready' });
      // Subscribed by agent before submitting: the command id is not known yet, and
      // nothing of this command can happen before the subscription is in place.
      stream.send({ type: 'subscribe', agentId: AGENT });
      expect(await stream.next()).toEqual({ type: 'subscribed', agentId: AGENT });

      const submitted = await gateway.submitCommand({ verb: 'exec', params: { argv: ['echo', 'hello'] }, targets: [AGENT] });
      const events: Frame[] = [];
      while (events.at(-1)?.state !== 'COMPLETED' && events.at(-1)?.state !== 'FAILED') {
        const f = await stream.next();
        expect(f.type).toBe('execution.updated');
        if (f.commandId === submitted.id) events.push(f);
      }
      // Inside command, the dispatcher's DISPATCHED write races the agent's RUNNING coming back
      // through JetStream; when RUNNING lands first the execution never passes DISPATCHED, and
      // no such event is (truthfully) announced. Either way the order is the lifecycle's.
      const states = events.map((e) => e.state);
      expect(states).toEqual(states.length === 3 ? ['DISPATCHED', 'RUNNING', 'COMPLETED'] : ['RUNNING', 'COMPLETED']);
      for (const e of events) expect(e).toMatchObject({ commandId: submitted.id, agentId: AGENT, executionId: submitted.executions[0]!.id });
      expect(events.at(-1)).toMatchObject({ exitCode: 0 });
      expect(events.at(-1)).not.toHaveProperty('stdout');

      // The event says it finished; the output is read from the command, as before.
      const done = await gateway.waitForCommand(submitted.id);
      expect(done.executions[0]).toMatchObject({ state: 'COMPLETED', exitCode: 0, stdout: 'hello\n' });
    } finally {
      stream.close();
    }
  });
});
