// The peer of the hub benchmarks: a bare `ws` server holding the same sockets as agent-hub, doing the
// least a hub must — parse each frame as JSON and answer HELLO with HELLO_ACK — and nothing else (no
// schema, no database, no NATS, no timers). What is left of the hub's cost per agent above this is
// the hub's own.
//
//   node bench/bare-ws-peer.mjs --port 4600 [--host 127.0.0.1] [--heartbeat-ms 15000]
//
// Prints "listening <port>" on stdout once it accepts connections; stops on SIGTERM/SIGINT.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4600' },
    host: { type: 'string', default: '127.0.0.1' },
    'heartbeat-ms': { type: 'string', default: '15000' },
  },
});
const heartbeatIntervalMs = Number(values['heartbeat-ms']);

const wss = new WebSocketServer({ host: values.host, port: Number(values.port), path: '/agent/v1', maxPayload: 1024 * 1024, backlog: 4096 });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    let msg;
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch {
      ws.close(1002, 'frame is not JSON');
      return;
    }
    if (msg.type === 'HELLO') {
      ws.send(
        JSON.stringify({
          v: 1,
          id: randomUUID(),
          ts: new Date().toISOString(),
          type: 'HELLO_ACK',
          sessionId: randomUUID(),
          heartbeatIntervalMs,
          telemetryIntervalMs: heartbeatIntervalMs,
        }),
      );
    }
  });
});
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
const stop = () => wss.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
