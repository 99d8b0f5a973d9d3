import { describe, expect, it } from 'vitest';
import type { OutputRange } from '../api/schemas.js';
import { MemoryWriter } from '../test/fakes.js';
import { copyOutput } from './output-reader.js';

/** An execution's output as the gateway would serve it while it grows: `steps[i]` is what is stored at the i-th read. */
function growingOutput(steps: { stored: Buffer; complete: boolean }[], rangeSize = 1 << 20) {
  const reads: number[] = [];
  let step = 0;
  const api = {
    getOutput: (_c: string, _e: string, _s: string, offset: number): Promise<OutputRange> => {
      reads.push(offset);
      const now = steps[Math.min(step++, steps.length - 1)]!;
      const data = now.stored.subarray(offset, offset + rangeSize);
      return Promise.resolve({
        data: data.toString('base64'),
        offset,
        nextOffset: offset + data.length,
        storedBytes: now.stored.length,
        truncated: false,
        complete: now.complete && offset + data.length >= now.stored.length,
      });
    },
  };
  return { api, reads };
}

describe(copyOutput.name, () => {
  it('reads range after range up to what is stored, without --follow', async () => {
    const out = new MemoryWriter();
    const { api, reads } = growingOutput([{ stored: Buffer.from('hello world\n'), complete: false }], 5);
    await copyOutput(api, 'c1', 'e1', 'stdout', out);
    expect(out.text).toBe('hello world\n');
    expect(reads).toEqual([0, 5, 10]);
  });

  it('with --follow, polls while the execution runs and stops once it finished and all was read', async () => {
    const out = new MemoryWriter();
    const sleeps: number[] = [];
    const { api } = growingOutput([
      { stored: Buffer.from('a\n'), complete: false },
      { stored: Buffer.from('a\n'), complete: false },
      { stored: Buffer.from('a\n'), complete: false },
      { stored: Buffer.from('a\nb\n'), complete: false },
      { stored: Buffer.from('a\nb\nc\n'), complete: true },
    ]);
    await copyOutput(api, 'c1', 'e1', 'stdout', out, { follow: true, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
    expect(out.text).toBe('a\nb\nc\n');
    // Backing off while nothing comes, quick again once it does.
    expect(sleeps).toEqual([200, 400, 800, 200]);
  });

  it('decodes a character split across two ranges, and prefixes lines', async () => {
    const out = new MemoryWriter();
    const { api } = growingOutput([{ stored: Buffer.from('grüße\nzwei'), complete: true }], 3);
    await copyOutput(api, 'c1', 'e1', 'stdout', out, { prefix: '[a] ' });
    expect(out.text).toBe('[a] grüße\n[a] zwei\n');
  });
});
