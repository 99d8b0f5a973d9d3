/**
 * Gathers items into batches: a batch is handed on as soon as it is full, or `lingerMs` after
 * its first item when traffic is light. One batch is in flight at a time; what arrives meanwhile
 * waits for the next (the consumer's max_ack_pending bounds how much that can be). The flush
 * function handles its own failures: the collector never drops or re-queues an item.
 */
export class BatchCollector<T> {
  private buffer: T[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly flush: (batch: T[]) => Promise<void>,
    private readonly opts: { maxSize: number; lingerMs: number },
  ) {}

  push(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length >= this.opts.maxSize) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.opts.lingerMs);
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Hands on what is buffered now and resolves once every batch has been flushed. */
  async drain(): Promise<void> {
    this.kick();
    await this.flushing;
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
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
