/**
 * Bounds the enrollments in flight: each holds a database transaction, so a
 * burst (a fleet provisioned at once) is refused quickly with 503 and
 * Retry-After instead of queueing on the connection pool.
 */
export class EnrollmentGate {
  private inFlight = 0;

  constructor(private readonly max: number) {}

  /** Runs `work` if a slot is free; null (without running it) when all are taken. */
  async run<T>(work: () => Promise<T>): Promise<{ value: T } | null> {
    if (this.inFlight >= this.max) return null;
    this.inFlight++;
    try {
      return { value: await work() };
    } finally {
      this.inFlight--;
    }
  }

  get size(): number {
    return this.inFlight;
  }
}
