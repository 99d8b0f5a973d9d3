import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const INSTRUMENT = join(PKG, 'dist', 'instrument.js');

/**
 * A stand-in service: an HTTP server that answers with the trace id it runs in, behind a
 * request carrying a traceparent; and whether pg and ioredis were patched when loaded.
 */
const SERVICE = `
import { createRequire } from 'node:module';
import http from 'node:http';
const require = createRequire(${JSON.stringify(join(PKG, 'package.json'))});
const { trace } = require('@opentelemetry/api');
const wrapped = (fn) => typeof fn === 'function' && '__original' in fn;
const pg = require('pg');
const { Redis } = require('ioredis');
const server = http.createServer((req, res) => res.end(trace.getActiveSpan()?.spanContext().traceId ?? 'none'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const traceId = await fetch('http://127.0.0.1:' + server.address().port + '/x', {
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
}).then((r) => r.text());
server.close();
const result = { traceId, pg: wrapped(pg.Client.prototype.query), ioredis: wrapped(Redis.prototype.sendCommand) };
await (await import(${JSON.stringify(join(PKG, 'dist', 'node.js'))})).shutdownTracing();
console.log(JSON.stringify(result));
`;

describe('the --import entry (built) in a service process', () => {
  const root = mkdtempSync(join(tmpdir(), 'fp-instrument-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Runs SERVICE as the entry script of a package declaring `dependencies`. */
  async function run(dependencies: Record<string, string>, env: Record<string, string> = {}) {
    const dir = join(root, Object.keys(dependencies).join('-') || 'shell', String(Object.keys(env).length));
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'svc', type: 'module', dependencies }));
    writeFileSync(join(dir, 'dist', 'main.js'), SERVICE);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', INSTRUMENT, 'dist/main.js'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as { traceId: string; pg: boolean; ioredis: boolean };
  }

  it("traces HTTP and continues the caller's trace, without patching clients a shell does not declare", async () => {
    expect(await run({})).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', pg: false, ioredis: false });
  });

  it('patches the clients the service declares', async () => {
    expect(await run({ '@prisma/adapter-pg': '*', bullmq: '*' })).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', pg: true, ioredis: true });
  });

  it('follows OTEL_NODE_ENABLED_INSTRUMENTATIONS over the package.json', async () => {
    expect(await run({ pg: '*' }, { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,ioredis' })).toMatchObject({ pg: false, ioredis: true });
  });

  it('exports over OTLP/HTTP when an endpoint is set, with the service name, and flushes on shutdownTracing', async () => {
    const bodies: unknown[] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') bodies.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      await run({}, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'svc-x', OTEL_BSP_SCHEDULE_DELAY: '60000' });
    } finally {
      collector.close();
    }
    type Export = {
      resourceSpans: {
        resource: { attributes: { key: string; value: { stringValue?: string } }[] };
        scopeSpans: { spans: { name: string; traceId: string }[] }[];
      }[];
    };
    const resourceSpans = (bodies as Export[]).flatMap((b) => b.resourceSpans);
    const serviceNames = resourceSpans.map((rs) => rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue);
    const spans = resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    expect(new Set(serviceNames)).toEqual(new Set(['svc-x']));
    // The server span (the client side is fetch, which the http instrumentation does not see).
    expect(spans.map((s) => s.name)).toContain('GET');
  });

  it('does nothing with OTEL_SDK_DISABLED=true', async () => {
    expect(await run({ pg: '*' }, { OTEL_SDK_DISABLED: 'true' })).toEqual({ traceId: 'none', pg: false, ioredis: false });
  });
});
