/**
 * The delay before a failed batch is tried again: doubling from `minMs` to `maxMs` while
 * failures follow one another, back to `minMs` after a success. It only spaces the attempts
 * out; nothing here ever gives up, so an outage of any length delays samples, never loses them.
 */
export class RetryBackoff {
  private failures = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** Records a failure; returns how long to wait before the next attempt. */
  next(): number {
    const delay = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
