import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768-60999 by default): the kernel never hands these out as the
// source port of an outgoing connection, so a port probed free here cannot be taken by one of the
// thousands of client sockets a test opens between the probe and the server's bind (with port 0,
// the kernel picks from the ephemeral range, and that race made servers fail with EADDRINUSE).
// Above the ports of well-known local servers (PostgreSQL 5432, Redis 6379, NATS 4222, ...).
const FIRST = 20_000;
const SPAN = 12_000;

/** Ports this process handed out, so two calls never return the same one. */
const handedOut = new Set<number>();
// Each process (or worker thread) starts at a random place, so parallel test files rarely probe the same port.
let next = FIRST + Math.floor(Math.random() * SPAN);

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * An unused loopback port outside the ephemeral range. There is still a small window between
 * closing the probe and the server binding it, but only another listener could take it now.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SPAN; tries++) {
    const port = next;
    next = FIRST + ((next - FIRST + 1) % SPAN);
    if (handedOut.has(port)) continue;
    if (await probe(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no free port in ${FIRST}-${FIRST + SPAN - 1}`);
}
