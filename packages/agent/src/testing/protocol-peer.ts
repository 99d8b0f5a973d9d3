import { WebSocketServer, type WebSocket } from 'ws';
import {
  AGENT_WS_PATH,
  AgentCloseCode,
  decodeAgentFrame,
  frame,
  REFERENCE_AGENT_FEATURES,
  tryAgainLaterReason,
  wsDataToText,
  type AgentToHub,
  type HubToAgent,
} from '@fleetplane/contracts';

type Body<T> = T extends unknown ? Omit<T, 'v' | 'id' | 'ts'> : never;

/**
 * A test peer for the agent as a WebSocket client: it speaks the hub's side of
 * the protocol (HELLO_ACK with the features, then whatever the test sends) and
 * records every frame per connection. It is not a hub — no credential check, no
 * storage; the real hub's tests are in apps/agent-hub — but it lets a test
 * drive the agent process through crashes and reconnects frame by frame.
 */
export class ProtocolPeer {
  /** Frames of each connection, in order. */
  readonly connections: AgentToHub[][] = [];
  private readonly wss: WebSocketServer;
  private socket?: WebSocket;
  /** HELLO_ACKs wait this long (ms): the agent is connected but has no session meanwhile. */
  helloAckDelayMs = 0;

  constructor(private readonly features: readonly string[] = REFERENCE_AGENT_FEATURES) {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: AGENT_WS_PATH });
    this.wss.on('connection', (ws) => {
      const frames: AgentToHub[] = [];
      this.connections.push(frames);
      this.socket = ws;
      ws.on('message', (data) => {
        const d = decodeAgentFrame(wsDataToText(data));
        if (!d.ok) throw new Error(`agent sent an invalid frame: ${d.reason}`);
        frames.push(d.message);
        if (d.message.type === 'HELLO') {
          const ack = frame<HubToAgent>({
            type: 'HELLO_ACK',
            sessionId: `s${this.connections.length}`,
            heartbeatIntervalMs: 1_000,
            telemetryIntervalMs: 60_000,
            features: [...this.features],
          });
          if (this.helloAckDelayMs > 0) setTimeout(() => ws.readyState === ws.OPEN && ws.send(ack), this.helloAckDelayMs);
          else ws.send(ack);
        }
      });
    });
  }

  async url(): Promise<string> {
    if (!this.wss.address()) await new Promise((r) => this.wss.once('listening', r));
    return `ws://127.0.0.1:${(this.wss.address() as { port: number }).port}${AGENT_WS_PATH}`;
  }

  get current(): AgentToHub[] {
    return this.connections.at(-1) ?? [];
  }

  all(): AgentToHub[] {
    return this.connections.flat();
  }

  send(body: Body<HubToAgent>): void {
    this.socket!.send(frame<HubToAgent>(body));
  }

  /** Drops the agent with a 4429 and a short retry-after, so it is back at once (no 0-10 s spread). */
  dropAgent(): void {
    this.socket?.close(AgentCloseCode.TryAgainLater, tryAgainLaterReason(50, 'test peer drops the agent'));
  }

  /** Resolves with the first frame (of any connection from `fromConnection` on) that matches. */
  async waitFor<T extends AgentToHub['type']>(
    type: T,
    match: (f: Extract<AgentToHub, { type: T }>) => boolean = () => true,
    fromConnection = 0,
    timeoutMs = 20_000,
  ): Promise<Extract<AgentToHub, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.connections
        .slice(fromConnection)
        .flat()
        .find((f): f is Extract<AgentToHub, { type: T }> => f.type === type && match(f as Extract<AgentToHub, { type: T }>));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} frame from the agent in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resolves once connection number `n` (1-based) has its HELLO. */
  async waitForConnection(n: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.connections[n - 1]?.some((f) => f.type === 'HELLO')) {
      if (Date.now() > deadline) throw new Error(`no connection #${n} in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}
