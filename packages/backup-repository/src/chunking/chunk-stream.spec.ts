import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { chunkStream } from './chunk-stream.js';
import { FastCdc } from './fastcdc.js';

// Property runs, scrypt and zstd over a few MiB: seconds on a quiet machine, more on a loaded one.
vi.setConfig({ testTimeout: 60_000 });

const chunker = new FastCdc({ minSize: 64, avgSize: 256, maxSize: 1024 });

function* pieces(data: Uint8Array, sizes: number[]): Generator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length] ?? 1);
    yield data.subarray(at, at + n);
    at += n;
  }
}

function oneShot(data: Uint8Array): number[] {
  const lengths: number[] = [];
  for (let at = 0; at < data.length;) {
    const { length } = chunker.cut(data, at, data.length);
    lengths.push(length);
    at += length;
  }
  return lengths;
}

async function streamed(data: Uint8Array, sizes: number[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of chunkStream(pieces(data, sizes), chunker)) out.push(chunk.data);
  return out;
}

describe('chunkStream', () => {
  it('cuts where a one-shot pass over the whole input cuts, whatever the read sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 20_000 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
        async (data, sizes) => {
          const chunks = await streamed(data, sizes);
          expect(chunks.map((c) => c.length)).toEqual(oneShot(data));
          expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
          for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(64);
          for (const c of chunks) expect(c.length).toBeLessThanOrEqual(1024);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('finds the same chunks again after bytes are inserted in front (content-defined, not offset-defined)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 20_000, maxLength: 40_000 }), fc.uint8Array({ minLength: 1, maxLength: 300 }), async (data, prefix) => {
        const before = (await streamed(data, [4096])).map((c) => c.toString('hex'));
        const after = new Set((await streamed(Buffer.concat([prefix, data]), [4096])).map((c) => c.toString('hex')));
        const shared = before.filter((c) => after.has(c)).length;
        // Only the chunks around the edit can differ: with ~50 chunks, at least 80 % survive.
        expect(shared / before.length).toBeGreaterThan(0.8);
      }),
      { numRuns: 20 },
    );
  });
});
