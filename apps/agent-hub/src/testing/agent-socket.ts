import type { IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import { decodeHubFrame, frame, wsDataToText, type AgentToHub, type HubToAgent } from '@fleetplane/contracts';

/** An upgrade the hub answered with something other than 101: its status, headers and body. */
export interface RefusedUpgrade {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A hand-driven agent connection for protocol tests: records every frame and the close. */
export class TestAgentSocket {
  readonly frames: HubToAgent[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ws: WebSocket;
  private waiters: Array<() => void> = [];

  private constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      const d = decodeHubFrame(wsDataToText(data));
      if (!d.ok) throw new Error(`hub sent an invalid frame: ${d.reason}`);
      this.frames.push(d.message);
      for (const w of this.waiters) w();
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(url: string): Promise<TestAgentSocket> {
    const s = new TestAgentSocket(url);
    await new Promise((resolve, reject) => s.ws.once('open', resolve).once('error', reject));
    return s;
  }

  /** Opens a socket, or reports how the hub refused the upgrade (admission control answers 503 before any WebSocket). */
  static tryOpen(url: string): Promise<{ socket: TestAgentSocket } | { refused: RefusedUpgrade }> {
    const s = new TestAgentSocket(url);
    return new Promise((resolve, reject) => {
      let refused = false;
      s.ws.once('open', () => resolve({ socket: s }));
      // After a refusal, terminate() reports "closed before the connection was established": expected.
      s.ws.on('error', (err) => refused || reject(err));
      s.ws.once('unexpected-response', (_req, res) => {
        refused = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ refused: { status: res.statusCode ?? 0, headers: res.headers, body } });
          s.ws.terminate();
        });
      });
    });
  }

  /** Opens a socket, HELLOs and waits for HELLO_ACK. */
  static async connect(url: string, agentId: string, token: string, site = 'test'): Promise<TestAgentSocket> {
    const s = await TestAgentSocket.open(url);
    s.sendFrame({
      type: 'HELLO',
      agentId,
      token,
      inventory: { site, os: 'linux', kernel: '6.1.0', version: '0.1.0-test', capabilities: ['exec'], containerEngine: '', labels: { role: 'test' } },
    });
    await s.next('HELLO_ACK');
    return s;
  }

  sendFrame(body: Parameters<typeof frame<AgentToHub>>[0]): string {
    const text = frame<AgentToHub>(body);
    this.ws.send(text);
    return (JSON.parse(text) as { id: string }).id;
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Resolves with the first frame of `type` not yet taken. */
  next<T extends HubToAgent['type']>(type: T, timeoutMs = 5_000): Promise<Extract<HubToAgent, { type: T }>> {
    return new Promise((resolve, reject) => {
      const take = () => {
        const i = this.frames.findIndex((f) => f.type === type);
        if (i < 0) return false;
        const [f] = this.frames.splice(i, 1);
        resolve(f as Extract<HubToAgent, { type: T }>);
        return true;
      };
      if (take()) return;
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
      const waiter = () => {
        if (take()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.ws.close(1000, 'done');
  }
}
