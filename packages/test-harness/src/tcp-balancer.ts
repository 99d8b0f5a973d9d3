import { connect, createServer, type Socket } from 'node:net';
import { freePort } from './ports.js';

export interface TcpBalancer {
  /** The loopback port clients connect to. */
  port: number;
  /** The backend ports, in round-robin order. */
  readonly backends: readonly number[];
  /** Connections handed to each backend port so far. */
  readonly handed: ReadonlyMap<number, number>;
  /**
   * Stops forwarding either way on every open connection, keeping them open: to the client the
   * backend hangs (what a stalled server or a partitioned network looks like), and nothing it
   * sent is lost. `thaw()` forwards again.
   */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 1_000;

function connectBackend(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const upstream = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => upstream.destroy(new Error(`connect to ${port} timed out`)), CONNECT_TIMEOUT_MS);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.removeListener('error', reject);
      resolve(upstream);
    });
    upstream.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * A layer-4 round-robin load balancer on loopback — what a Kubernetes Service (kube-proxy) or a
 * cloud TCP load balancer is to several instances of a service: each new connection goes to the
 * next backend, one that refuses the connection (killed, restarting) is skipped, and when a
 * backend dies its connections are closed, so clients reconnect and land on a live one. It knows
 * nothing of HTTP, gRPC or WebSocket: long-lived connections stay on the backend they got.
 */
export async function startTcpBalancer(opts: { backends: number[]; port?: number }): Promise<TcpBalancer> {
  if (opts.backends.length === 0) throw new Error('startTcpBalancer: no backends');
  const backends = [...opts.backends];
  const handed = new Map<number, number>(backends.map((b) => [b, 0]));
  const open = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  let next = 0;
  const forward = ([client, upstream]: [Socket, Socket]) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    void (async () => {
      // Each connection walks the ring from its own start, so concurrent ones cannot make it skip a live backend.
      const start = next;
      next = (next + 1) % backends.length;
      for (let tried = 0; tried < backends.length; tried++) {
        const port = backends[(start + tried) % backends.length]!;
        let upstream: Socket;
        try {
          upstream = await connectBackend(port);
        } catch {
          continue; // down: the next one
        }
        if (client.destroyed) {
          upstream.destroy();
          return;
        }
        handed.set(port, (handed.get(port) ?? 0) + 1);
        open.add(upstream);
        upstream.once('close', () => {
          open.delete(upstream);
          client.destroy();
        });
        upstream.on('error', () => upstream.destroy());
        client.once('close', () => upstream.destroy());
        const pair: [Socket, Socket] = [client, upstream];
        pairs.add(pair);
        upstream.once('close', () => pairs.delete(pair));
        if (!frozen) {
          forward(pair);
          client.resume();
        }
        return;
      }
      client.destroy(); // every backend is down: the client sees a reset and retries
    })();
  });
  const port = opts.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
  });

  let stopping: Promise<void> | undefined;
  return {
    port,
    backends,
    handed,
    freeze() {
      frozen = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    thaw() {
      frozen = false;
      for (const pair of pairs) forward(pair);
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      });
      return stopping;
    },
  };
}
