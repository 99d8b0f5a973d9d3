/**
 * The recently sent RESULT and OUTPUT frames, kept so the hub can ask for one
 * again by frame id (ERROR NOT_STORED: it could not store it, NATS away).
 * Bounded in count and in bytes: the oldest go first.
 */
export class RecentFrames {
  private readonly recent = new Map<string, string>();
  private bytes = 0;

  constructor(
    private readonly limit = 1_000,
    private readonly maxBytes = 8 * 1_048_576,
  ) {}

  remember(id: string, text: string): void {
    const old = this.recent.get(id);
    if (old !== undefined) this.bytes -= old.length;
    this.recent.set(id, text);
    this.bytes += text.length;
    while (this.recent.size > this.limit || (this.bytes > this.maxBytes && this.recent.size > 1)) {
      const [oldest, oldText] = this.recent.entries().next().value!;
      this.recent.delete(oldest);
      this.bytes -= oldText.length;
    }
  }

  recall(id: string): string | undefined {
    return this.recent.get(id);
  }
}
