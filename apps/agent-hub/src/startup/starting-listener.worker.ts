import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { refuseUpgrade } from '../protocol/upgrade-refusal.js';
import type { StartingListenerMessage, StartingListenerOptions } from './starting-listener.js';

// The starting listener's thread (see starting-listener.ts): 503 to everything until told to release the port.
const { host, port, retryAfterMs } = workerData as StartingListenerOptions;
const say = (msg: StartingListenerMessage) => parentPort!.postMessage(msg);
let refused = 0;
const sockets = new Set<Socket>();
const server = createServer((_req, res) => {
  res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(Math.ceil(retryAfterMs / 1_000)), Connection: 'close' });
  res.end('agent-hub is starting\n');
});
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});
server.on('upgrade', (_req, socket) => {
  refused += 1;
  refuseUpgrade(socket, { reason: 'not_ready', retryAfterMs });
});
server.once('error', (err) => say({ kind: 'failed', error: err.message }));
server.listen({ port, host, backlog: 4096 }, () => say({ kind: 'listening' }));
parentPort!.once('message', () => {
  server.close(() => say({ kind: 'released', refused }));
  for (const s of sockets) s.destroy();
});
