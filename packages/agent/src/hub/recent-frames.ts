/**
 * The recently sent RESULT frames, kept so the hub can ask for one again by
 * frame id (ERROR NOT_STORED). Bounded: the oldest go first.
 */
export class RecentFrames {
  private readonly recent = new Map<string, string>();

  constructor(private readonly limit = 1_000) {}

  remember(id: string, text: string): void {
    this.recent.set(id, text);
    if (this.recent.size > this.limit) this.recent.delete(this.recent.keys().next().value!);
  }

  recall(id: string): string | undefined {
    return this.recent.get(id);
  }
}
