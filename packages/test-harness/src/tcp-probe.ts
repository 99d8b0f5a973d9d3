import { connect } from 'node:net';

/**
 * Opens a TCP connection to 127.0.0.1:port, optionally writes `send`, and
 * resolves with what the server sent once `done(received)` is true. Used for
 * protocol-level readiness checks (NATS INFO, Redis PONG) without a client library.
 */
export async function tcpExchange(port: number, send: string | undefined, done: (received: string) => boolean, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(received);
    };
    const timer = setTimeout(() => finish(new Error(`no complete reply within ${timeoutMs} ms (got ${JSON.stringify(received)})`)), timeoutMs);
    socket.once('connect', () => {
      if (send !== undefined) socket.write(send);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (done(received)) finish();
    });
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish(new Error(`connection closed (got ${JSON.stringify(received)})`)));
  });
}
