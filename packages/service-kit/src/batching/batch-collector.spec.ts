import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchCollector } from './batch-collector.js';

describe('BatchCollector', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('hands on a full batch at once, without waiting for the linger', async () => {
    const batches: number[][] = [];
    const c = new BatchCollector<number>((b) => Promise.resolve(void batches.push(b)), { maxSize: 3, lingerMs: 1_000 });
    [1, 2, 3].forEach((n) => c.push(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('hands on a partial batch lingerMs after its first item', async () => {
    const batches: number[][] = [];
    const c = new BatchCollector<number>((b) => Promise.resolve(void batches.push(b)), { maxSize: 10, lingerMs: 50 });
    c.push(1);
    await vi.advanceTimersByTimeAsync(49);
    expect(batches).toEqual([]);
    c.push(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2]]);
  });

  it('keeps one batch in flight: what arrives meanwhile goes in the next, in order', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const c = new BatchCollector<number>(
      async (b) => {
        batches.push(b);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
      },
      { maxSize: 2, lingerMs: 10 },
    );
    [1, 2, 3, 4, 5].forEach((n) => c.push(n));
    await vi.advanceTimersByTimeAsync(20);
    expect(batches).toEqual([[1, 2]]);
    release();
    await c.drain();
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('with lingerMs 0 hands on what one turn of the event loop pushed, without a timer', async () => {
    const batches: number[][] = [];
    const c = new BatchCollector<number>((b) => Promise.resolve(void batches.push(b)), { maxSize: 10, lingerMs: 0 });
    c.push(1);
    c.push(2);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2]]);
  });

  it('goes on after a flush that throws', async () => {
    const batches: number[][] = [];
    const c = new BatchCollector<number>(
      (b) => {
        batches.push(b);
        return batches.length === 1 ? Promise.reject(new Error('database away')) : Promise.resolve();
      },
      { maxSize: 1, lingerMs: 10 },
    );
    c.push(1);
    c.push(2);
    await c.drain();
    expect(batches).toEqual([[1], [2]]);
  });
});
