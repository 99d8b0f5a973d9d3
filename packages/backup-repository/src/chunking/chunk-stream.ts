import { FastCdc } from './fastcdc.js';

export interface Chunk {
  /** Offset of the chunk in the whole stream. */
  readonly offset: number;
  /** The chunk's bytes: a copy the caller owns. */
  readonly data: Buffer;
}

/**
 * Splits a byte stream into content-defined chunks with memory bounded by 2 × maxSize, whatever the
 * stream's length: the window holds at most that much, a cut is taken as soon as maxSize bytes are
 * buffered (a cut never needs more), and the consumer pulls one chunk at a time.
 */
export async function* chunkStream(input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, chunker: FastCdc): AsyncGenerator<Chunk> {
  const capacity = chunker.maxSize * 2;
  const window = Buffer.allocUnsafe(capacity);
  let start = 0;
  let end = 0;
  let offset = 0;

  const take = (): Chunk => {
    const { length } = chunker.cut(window, start, end);
    const data = Buffer.from(window.subarray(start, start + length));
    const chunk = { offset, data };
    start += length;
    offset += length;
    return chunk;
  };

  for await (const piece of input) {
    let read = 0;
    while (read < piece.length) {
      if (end === capacity) {
        // start > 0 here: the loop below keeps end - start < maxSize before copying more in.
        window.copyWithin(0, start, end);
        end -= start;
        start = 0;
      }
      const n = Math.min(capacity - end, piece.length - read);
      window.set(piece.subarray(read, read + n), end);
      end += n;
      read += n;
      while (end - start >= chunker.maxSize) yield take();
    }
  }
  while (end > start) yield take();
}
