// Where a FULL backup's CPU time goes, without PostgreSQL: the writer's stages timed one by one
// over the same in-memory, dump-like input (rows of ~200 bytes, compressible ~4×), in this process.
//
// Usage: node bench/backup/where-time-goes.mjs [--mb 128]   (after `pnpm build`)
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { zstdCompress } from 'node:zlib';
import { promisify } from 'node:util';
import { chunkStream, DEFAULT_CHUNKER_PARAMS, FastCdc, MemoryBackend, Repository } from '../../packages/backup-repository/dist/index.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '128' } } });
const size = Number(values.mb) * 1024 * 1024;

// Dump-like rows: ids, host names, a status, a timestamp and an md5-ish tag.
const parts = [];
let total = 0;
for (let g = 1; total < size; g++) {
  const row = `${g}\thost-${g % 5000}\t${g % 11 === 0 ? 'failed' : 'ok'}\t2026-01-01 00:00:${g % 60}\t{"n": ${g}, "tag": "${createHash('md5').update(String(g)).digest('hex')}", "load": ${(g * 7919) % 1000}}\n`;
  parts.push(row);
  total += row.length;
}
const data = Buffer.from(parts.join(''));
const pieces = [];
for (let o = 0; o < data.length; o += 64 * 1024) pieces.push(data.subarray(o, o + 64 * 1024));
const mib = data.length / 1024 / 1024;

const timeIt = async (name, fn) => {
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  console.log(`${name.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${(mib / (ms / 1000)).toFixed(0).padStart(5)} MiB/s`);
  return ms;
};

console.log(`input: ${mib.toFixed(0)} MiB in 64 KiB reads (as pg_dump's pipe delivers them), Node ${process.version}`);
const chunks = [];
await timeIt('FastCDC chunking (JS, main thread)', async () => {
  for await (const c of chunkStream(pieces, new FastCdc(DEFAULT_CHUNKER_PARAMS))) chunks.push(c.data);
});
const key = randomBytes(32);
await timeIt('HMAC-SHA-256 chunk ids', () => chunks.forEach((c) => createHmac('sha256', key).update(c).digest()));
await timeIt('SHA-256 of the whole source', () => chunks.reduce((h, c) => h.update(c), createHash('sha256')).digest());
const zstd = promisify(zstdCompress);
const compressed = [];
await timeIt('zstd level 3, one chunk at a time', async () => {
  for (const c of chunks) compressed.push(await zstd(c));
});
await timeIt('zstd level 3, 4 chunks at once (libuv pool)', async () => {
  for (let i = 0; i < chunks.length; i += 4) await Promise.all(chunks.slice(i, i + 4).map((c) => zstd(c)));
});
const { createCipheriv } = await import('node:crypto');
await timeIt('AES-256-GCM of the compressed chunks', () =>
  compressed.forEach((c) => {
    const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
    Buffer.concat([cipher.update(c), cipher.final(), cipher.getAuthTag()]);
  }),
);
const repo = await Repository.init(new MemoryBackend(), { masterKey: { passphrase: 'bench' }, compression: { algorithm: 'zstd', level: 3 } });
await timeIt('the whole writer (FULL, memory backend)', async () => {
  const writer = await repo.startBackup({ type: 'FULL' });
  await writer.addSource({ name: 'bench', kind: 'bytes' }, pieces);
  await writer.commit();
});
