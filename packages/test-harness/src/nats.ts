import { mkdirSync } from 'node:fs';
import { resolveBinary } from './binaries.js';
import { spawnChild } from './children.js';
import { OutputBuffer } from './output-buffer.js';
import { freePort } from './ports.js';
import { abortStart, makeServerHandle, OwnedDirs, type ServerHandle, type ServerOptions } from './server-handle.js';
import { tcpExchange } from './tcp-probe.js';
import { makeTempDir } from './temp-dir.js';
import { waitUntilReady } from './wait.js';

/**
 * Starts nats-server with JetStream on 127.0.0.1. Ready means a client gets
 * the INFO line advertising JetStream: the port alone opens before
 * JetStream has recovered its store.
 */
export async function startNats(opts: ServerOptions = {}): Promise<ServerHandle> {
  const bin = resolveBinary('nats-server');
  const port = opts.port ?? (await freePort());
  const owned = new OwnedDirs();
  const dataDir = opts.dataDir ?? owned.add(makeTempDir('nats'));
  mkdirSync(dataDir, { recursive: true });

  const output = new OutputBuffer(opts.logFile);
  const child = spawnChild(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dataDir], {}, output);
  try {
    await waitUntilReady(`nats-server on port ${port}`, child, async () => {
      const info = await tcpExchange(port, undefined, (r) => r.includes('\r\n'));
      return info.startsWith('INFO ') && /"jetstream"\s*:\s*true/.test(info);
    });
  } catch (err) {
    await abortStart(child, owned);
    throw err;
  }
  return makeServerHandle(child, `nats://127.0.0.1:${port}`, port, owned);
}
