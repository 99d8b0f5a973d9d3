import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { spansFromJson } from './otlp-json.js';
import { spansFromProtobuf } from './otlp-protobuf.js';

export interface ReceivedSpan {
  traceId: string; // hex
  spanId: string; // hex
  parentSpanId?: string; // hex, absent for root spans
  name: string;
  serviceName: string; // resource attribute service.name
  attributes: Record<string, unknown>;
  /** Start and end on the exporter's clock, in milliseconds since the epoch (sub-ms precision). */
  startMs: number;
  endMs: number;
}

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:PORT (the exporter's url is `${url}/v1/traces`). */
  url: string;
  spans(): ReceivedSpan[];
  /** Resolves with all spans once `pred(spans)` is true; rejects after timeoutMs (default 10 s). */
  waitFor(pred: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  stop(): Promise<void>;
}

const MAX_BODY = 16 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

/** An in-memory OTLP/HTTP trace collector on 127.0.0.1 for end-to-end trace tests. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];

  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') {
      reply(res, 404, '{}');
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
    readBody(req)
      .then((body) => {
        if (type === 'application/json') received.push(...spansFromJson(body.toString('utf8')));
        else if (type === 'application/x-protobuf') received.push(...spansFromProtobuf(body));
        else return reply(res, 415, JSON.stringify({ error: `unsupported content-type ${type}` }));
        // An empty ExportTraceServiceResponse: full success.
        reply(res, 200, '{}');
      })
      .catch((err: unknown) => reply(res, 400, JSON.stringify({ error: String(err) })));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('otlp receiver: no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    spans: () => [...received],
    async waitFor(pred, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred([...received])) {
        if (Date.now() >= deadline) {
          const names = received.map((s) => `${s.serviceName}/${s.name}`).join(', ');
          throw new Error(`otlp receiver: condition not met within ${timeoutMs} ms; ${received.length} spans received: ${names}`);
        }
        await sleep(25);
      }
      return [...received];
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Exporters keep connections alive; do not let them hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
