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
 * Starts redis-server on 127.0.0.1. RDB snapshots are off; the append-only
 * file is on only with a dataDir, because that is the case (`make up`) where
 * queued BullMQ jobs should survive a restart. Ready means PING → PONG, which
 * Redis only answers once the AOF is loaded (before that it replies -LOADING).
 */
export async function startRedis(opts: ServerOptions = {}): Promise<ServerHandle> {
  const bin = resolveBinary('redis-server');
  const port = opts.port ?? (await freePort());
  const owned = new OwnedDirs();
  const dataDir = opts.dataDir ?? owned.add(makeTempDir('redis'));
  mkdirSync(dataDir, { recursive: true });

  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dataDir,
    '--save',
    '',
    '--appendonly',
    opts.dataDir ? 'yes' : 'no',
    '--daemonize',
    'no',
  ];
  const output = new OutputBuffer(opts.logFile);
  const child = spawnChild(bin, args, {}, output);
  try {
    await waitUntilReady(`redis-server on port ${port}`, child, async () => {
      const reply = await tcpExchange(port, 'PING\r\n', (r) => r.includes('\r\n'));
      return reply.startsWith('+PONG');
    });
  } catch (err) {
    await abortStart(child, owned);
    throw err;
  }
  return makeServerHandle(child, `redis://127.0.0.1:${port}`, port, owned);
}
