/**
 * Background work on an interval that is never doubled: a run that is still going when the
 * next is due (a slow database) is joined instead of started again, and `stop()` waits for the
 * run in flight. The timer is unref'ed, so it never keeps a process alive. For flushes, beats
 * and replays that a provider starts in a lifecycle hook and stops at shutdown.
 */
export class PeriodicTask<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;

  constructor(
    private readonly run: () => Promise<T>,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.runNow(), this.everyMs);
    this.timer.unref();
  }

  /** One run now, or the one in flight. */
  runNow(): Promise<T> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** No more runs; resolves once the one in flight (if any) has ended. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
