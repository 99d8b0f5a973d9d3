import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_OUTPUT_CHUNK_BYTES } from '@fleetplane/contracts';
import { OutputCoalescer, type OutputPiece } from './output-coalescer.js';

const decoded = (pieces: OutputPiece[], stream: 'stdout' | 'stderr') =>
  Buffer.concat(pieces.filter((p) => p.stream === stream).map((p) => Buffer.from(p.data, 'base64'))).toString();

describe(OutputCoalescer.name, () => {
  let sent: OutputPiece[];
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
  });
  afterEach(() => vi.useRealTimers());

  it('coalesces a line every millisecond into one frame per 100 ms', () => {
    const c = new OutputCoalescer((p) => sent.push(p));
    for (let i = 0; i < 1_000; i++) {
      c.push('stdout', Buffer.from(`line ${i}\n`));
      vi.advanceTimersByTime(1);
    }
    c.close();
    // 1 s of output: ten interval flushes (and the close), not a thousand frames.
    expect(sent.length).toBeGreaterThanOrEqual(10);
    expect(sent.length).toBeLessThanOrEqual(11);
    expect(decoded(sent, 'stdout')).toBe(Array.from({ length: 1_000 }, (_, i) => `line ${i}\n`).join(''));
  });

  it('flushes at once when 32 KiB are buffered, without waiting for the interval', () => {
    const c = new OutputCoalescer((p) => sent.push(p));
    for (let i = 0; i < 32; i++) c.push('stdout', Buffer.alloc(1024, 'a'));
    expect(sent).toHaveLength(1);
    expect(Buffer.from(sent[0]!.data, 'base64')).toHaveLength(32 * 1024);
    c.close();
  });

  it('never sends a piece over 64 KiB, and numbers the pieces with contiguous offsets', () => {
    const c = new OutputCoalescer((p) => sent.push(p));
    c.push('stdout', Buffer.alloc(200 * 1024, 'x'));
    c.close();
    expect(sent.map((p) => Buffer.from(p.data, 'base64').length)).toEqual([MAX_OUTPUT_CHUNK_BYTES, MAX_OUTPUT_CHUNK_BYTES, MAX_OUTPUT_CHUNK_BYTES, 8 * 1024]);
    expect(sent.map((p) => p.offset)).toEqual([0, 65_536, 131_072, 196_608]);
    expect(sent.map((p) => p.seq)).toEqual([0, 1, 2, 3]);
  });

  it('counts seq across both streams and offsets per stream', () => {
    const c = new OutputCoalescer((p) => sent.push(p));
    c.push('stdout', Buffer.from('out1'));
    c.push('stderr', Buffer.from('err1'));
    vi.advanceTimersByTime(100);
    c.push('stderr', Buffer.from('err2'));
    c.close();
    expect(sent.map(({ stream, seq, offset }) => [stream, seq, offset])).toEqual([
      ['stdout', 0, 0],
      ['stderr', 1, 0],
      ['stderr', 2, 4],
    ]);
    expect(decoded(sent, 'stderr')).toBe('err1err2');
  });

  it('stops at the output cap, marks the output truncated, and still counts what was produced', () => {
    const c = new OutputCoalescer((p) => sent.push(p), { capBytes: 10 });
    c.push('stdout', Buffer.from('0123456'));
    c.push('stdout', Buffer.from('789abc'));
    c.push('stdout', Buffer.from('def'));
    c.close();
    expect(decoded(sent, 'stdout')).toBe('0123456789');
    expect(c.truncated).toBe(true);
    expect(c.produced.stdout).toBe(16);
  });

  it('sends nothing after close, and nothing for a silent process', () => {
    const c = new OutputCoalescer((p) => sent.push(p));
    c.close();
    c.push('stdout', Buffer.from('late'));
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual([]);
  });
});
