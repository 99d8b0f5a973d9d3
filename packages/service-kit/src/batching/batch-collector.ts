/**
 * Gathers items into batches: a batch is handed on as soon as it is full, or `lingerMs` after
 * its first item when traffic is light (0: at the end of the current turn of the event loop,
 * so a lone item waits for nothing). One batch is in flight at a time; what arrives meanwhile
 * waits for the next (the consumer's max_ack_pending bounds how much that can be). The flush
 * function handles its own failures: the collector never drops or re-queues an item.
 */
export class BatchCollector<T> {
  private buffer: T[] = [];
  /** Cancels the pending linger (a timeout, or an immediate for lingerMs 0), if one is set. */
  private cancelLinger?: () => void;
  private flushing?: Promise<void>;

  constructor(
    private readonly flush: (batch: T[]) => Promise<void>,
    private readonly opts: { maxSize: number; lingerMs: number },
  ) {}

  push(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length >= this.opts.maxSize) this.kick();
    else if (!this.cancelLinger) this.cancelLinger = this.linger();
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Hands on what is buffered now and resolves once every batch has been flushed. */
  async drain(): Promise<void> {
    this.kick();
    await this.flushing;
  }

  private linger(): () => void {
    if (this.opts.lingerMs > 0) {
      const t = setTimeout(() => this.kick(), this.opts.lingerMs);
      return () => clearTimeout(t);
    }
    const i = setImmediate(() => this.kick());
    return () => clearImmediate(i);
  }

  private kick(): void {
    this.cancelLinger?.();
    this.cancelLinger = undefined;
    // A flush in flight takes the buffer when it ends.
    this.flushing ??= this.flushAll().finally(() => (this.flushing = undefined));
  }

  private async flushAll(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.opts.maxSize);
      await this.flush(batch).catch(() => undefined);
    }
  }
}
