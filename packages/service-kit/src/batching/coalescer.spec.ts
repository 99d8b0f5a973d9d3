import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.js';

describe('Coalescer', () => {
  it('answers concurrent calls from one batched call, each with its own result', async () => {
    const calls: number[][] = [];
    const c = new Coalescer<number, number>((items) => Promise.resolve(void calls.push(items)).then(() => items.map((n) => n * 10)), { maxSize: 100 });
    expect(await Promise.all([1, 2, 3].map((n) => c.run(n)))).toEqual([10, 20, 30]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('gathers what comes while a batch is in flight into the next one', async () => {
    const calls: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = new Coalescer<number, number>(
      async (items) => {
        calls.push(items);
        if (calls.length === 1) await gate;
        return items;
      },
      { maxSize: 100 },
    );
    const first = c.run(1);
    await new Promise<void>((r) => setImmediate(r));
    const later = [2, 3, 4].map((n) => c.run(n));
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(calls).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every call of a batch that failed, and goes on with the next', async () => {
    let fail = true;
    const c = new Coalescer<number, number>(
      (items) => {
        if (fail) return Promise.reject(new Error('database away'));
        return Promise.resolve(items);
      },
      { maxSize: 10 },
    );
    const failed = await Promise.allSettled([c.run(1), c.run(2)]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await c.run(3)).toBe(3);
  });

  it('refuses an answer with the wrong number of results', async () => {
    const c = new Coalescer<number, number>(() => Promise.resolve([1]), { maxSize: 10 });
    await expect(Promise.all([c.run(1), c.run(2)])).rejects.toThrow('1 results for 2 items');
  });
});
