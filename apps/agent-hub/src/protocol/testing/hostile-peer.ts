import { WebSocket } from 'ws';
import { frame, wsDataToText, type AgentToHub } from '@fleetplane/contracts';

const ignore = (): void => undefined;

/**
 * A raw agent connection for the fuzz test: sends any bytes, text or binary,
 * whole or in fragments (continuation frames), and records how it was closed.
 * Unlike TestAgentSocket it never parses what the hub sends, beyond noticing HELLO_ACK.
 */
export class HostilePeer {
  readonly closed: Promise<{ code: number; reason: string }>;
  private acked = false;
  private onAck?: () => void;

  private constructor(private readonly ws: WebSocket) {
    ws.on('error', ignore);
    ws.on('message', (data) => {
      if (!this.acked && wsDataToText(data).includes('"HELLO_ACK"')) {
        this.acked = true;
        this.onAck?.();
      }
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(url: string): Promise<HostilePeer> {
    const ws = new WebSocket(url);
    const peer = new HostilePeer(ws);
    return new Promise((resolve, reject) => ws.once('open', () => resolve(peer)).once('error', reject));
  }

  /** Says HELLO with a real credential and waits for HELLO_ACK; rejects if the hub closes instead. */
  async hello(agentId: string, token: string): Promise<void> {
    const acked = new Promise<void>((resolve) => (this.onAck = resolve));
    this.ws.send(
      frame<AgentToHub>({
        type: 'HELLO',
        agentId,
        token,
        inventory: { site: 'fuzz', os: 'linux', kernel: '6', version: '0', capabilities: [], containerEngine: '', labels: {} },
      }),
    );
    await Promise.race([acked, this.closed.then((c) => Promise.reject(new Error(`closed ${c.code} ${c.reason} instead of HELLO_ACK`)))]);
  }

  /** Sends one message: text for a string, binary for a Buffer, split into `fragments` WebSocket frames. */
  send(data: string | Buffer, fragments = 1): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const binary = Buffer.isBuffer(data);
    const bytes = binary ? data : Buffer.from(data, 'utf8');
    const size = Math.max(1, Math.ceil(bytes.length / fragments));
    for (let at = 0; at < bytes.length || at === 0; at += size) {
      const fin = at + size >= bytes.length;
      this.ws.send(bytes.subarray(at, at + size), { binary, fin });
      if (fin) break;
    }
  }

  terminate(): void {
    this.ws.terminate();
  }
}
