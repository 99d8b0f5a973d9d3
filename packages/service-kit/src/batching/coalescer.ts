import { BatchCollector } from './batch-collector.js';

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Turns many concurrent single calls into few batched ones: `run(item)` joins the next batch
 * and resolves with its own result. A lone call goes at the end of the current turn of the
 * event loop; calls made while a batch is in flight go together in the next one (up to
 * `maxSize`). So a quiet caller pays nothing and a busy one pays one round trip per batch —
 * e.g. 64 concurrent dispatches making one UPDATE … FROM unnest instead of 64 UPDATEs.
 * `fn` returns one result per item, in order; if it throws, every call of the batch rejects.
 */
export class Coalescer<I, O> {
  private readonly collector: BatchCollector<Pending<I, O>>;

  constructor(fn: (items: I[]) => Promise<O[]>, opts: { maxSize: number }) {
    this.collector = new BatchCollector<Pending<I, O>>(
      async (batch) => {
        try {
          const out = await fn(batch.map((p) => p.item));
          if (out.length !== batch.length) throw new Error(`batched call answered ${out.length} results for ${batch.length} items`);
          batch.forEach((p, i) => p.resolve(out[i]!));
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      },
      { maxSize: opts.maxSize, lingerMs: 0 },
    );
  }

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => this.collector.push({ item, resolve, reject }));
  }
}
