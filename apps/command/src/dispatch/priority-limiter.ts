/**
 * At most `limit` tasks run at once; a task that has to wait starts by its priority (lower
 * first, as BullMQ counts), then in arrival order. The dispatch worker holds many batch jobs at
 * once, and this is what keeps the NATS requests to the hubs at DISPATCH_CONCURRENCY per
 * instance and a CRITICAL command from queueing behind a LOW one's thousands of executions.
 */
export class PriorityLimiter {
  private running = 0;
  private readonly waiting = new Map<number, Array<() => void>>();

  constructor(private readonly limit: number) {}

  async run<T>(priority: number, task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((start) => this.queueOf(priority).push(start));
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Tasks waiting for a slot, for tests and the queue-depth picture. */
  get pending(): number {
    let n = 0;
    for (const q of this.waiting.values()) n += q.length;
    return n;
  }

  private queueOf(priority: number): Array<() => void> {
    let q = this.waiting.get(priority);
    if (!q) {
      q = [];
      this.waiting.set(priority, q);
    }
    return q;
  }

  private release(): void {
    // The slot goes straight to the next waiter (running stays the same), or is freed.
    const first = [...this.waiting.keys()].sort((a, b) => a - b).find((p) => this.waiting.get(p)!.length > 0);
    const next = first === undefined ? undefined : this.waiting.get(first)!.shift();
    if (next) next();
    else this.running--;
  }
}
