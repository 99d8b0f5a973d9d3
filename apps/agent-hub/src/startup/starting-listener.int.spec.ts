import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseUpgradeRetryAfterMs } from '@fleetplane/contracts';
import { freePort, spawnProcess, SERVICE_NODE_ARGS, type ManagedProcess } from '@fleetplane/test-harness';

// The BUILT hub while it starts: its NATS "server" accepts TCP and never answers, so
// the hub stays in start-up for as long as the test needs; its agent port must answer
// upgrades with 503 not ready and the retry-after hint (the starting listener's worker)
// rather than refuse connections or leave them queued.
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('agent-hub while starting (process)', () => {
  let silent: Server;
  const held: Socket[] = [];
  let hub: ManagedProcess;
  let port: number;

  beforeAll(async () => {
    silent = createServer((s) => void held.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    port = await freePort();
    hub = spawnProcess('agent-hub', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: APP_DIR,
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        GRPC_PORT: String(await freePort()),
        METRICS_PORT: String(await freePort()),
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/agent_hub',
        NATS_URL: `nats://127.0.0.1:${(silent.address() as { port: number }).port}`,
        ADMISSION_RETRY_AFTER_MS: '2500',
        OTEL_SERVICE_NAME: 'agent-hub',
        OTEL_METRICS_EXPORTER: 'none',
      },
    });
  });

  afterAll(async () => {
    await hub?.stop('SIGKILL');
    for (const s of held) s.destroy();
    silent?.close();
  });

  it('answers an agent upgrade with 503 not ready and the retry-after hint before the hub is up', async () => {
    // /ready answers (503) once the starting listener holds the port.
    await expect
      .poll(
        () =>
          fetch(`http://127.0.0.1:${port}/ready`).then(
            (r) => r.status,
            () => 0,
          ),
        { timeout: 20_000, interval: 50 },
      )
      .toBe(503);
    const answer = await new Promise<{ status: number; hint: number | undefined; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/agent/v1`);
      ws.on('error', () => undefined);
      ws.once('open', () => reject(new Error('upgraded while starting')));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, hint: parseUpgradeRetryAfterMs(res.statusCode ?? 0, res.headers), body });
          ws.terminate();
        });
      });
    });
    expect(answer).toEqual({ status: 503, hint: 2_500, body: 'not ready; retry-after-ms=2500\n' });
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('3');
  });
});
