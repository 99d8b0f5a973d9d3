/**
 * RESULT frames waiting for a connection, and the recently sent ones kept so
 * the hub can ask for one again (ERROR NOT_STORED). Both bounded: an agent cut
 * off for long keeps the newest results, not unbounded memory.
 */
export class Outbox {
  private readonly pending: string[] = [];
  private readonly recent = new Map<string, string>();

  constructor(private readonly limit = 1_000) {}

  queue(text: string): void {
    this.pending.push(text);
    if (this.pending.length > this.limit) this.pending.shift();
  }

  drain(): string[] {
    return this.pending.splice(0);
  }

  remember(id: string, text: string): void {
    this.recent.set(id, text);
    if (this.recent.size > this.limit) this.recent.delete(this.recent.keys().next().value!);
  }

  recall(id: string): string | undefined {
    return this.recent.get(id);
  }
}
