import type { CommandPriority } from '@fleetplane/contracts';

const ORDER: readonly CommandPriority[] = ['CRITICAL', 'HIGH', 'NORMAL', 'LOW'];

/**
 * Executions waiting for one of the agent's slots: CRITICAL first, FIFO within a
 * priority, at most `capacity` of them (the agent REJECTs beyond). One array per
 * priority; removal by id (a CANCEL of a queued execution) is a scan, fine for
 * the default cap of 1,000.
 */
export class LocalQueue<T extends { id: string; priority: CommandPriority }> {
  private readonly lanes = new Map<CommandPriority, T[]>(ORDER.map((p) => [p, []]));
  private count = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /** False when the queue is full (nothing added). */
  push(item: T): boolean {
    if (this.count >= this.capacity) return false;
    this.lanes.get(item.priority)!.push(item);
    this.count++;
    return true;
  }

  shift(): T | undefined {
    for (const p of ORDER) {
      const item = this.lanes.get(p)!.shift();
      if (item) {
        this.count--;
        return item;
      }
    }
    return undefined;
  }

  has(id: string): boolean {
    return ORDER.some((p) => this.lanes.get(p)!.some((i) => i.id === id));
  }

  /** Takes the item out; undefined when it is not queued. */
  remove(id: string): T | undefined {
    for (const p of ORDER) {
      const lane = this.lanes.get(p)!;
      const at = lane.findIndex((i) => i.id === id);
      if (at >= 0) {
        this.count--;
        return lane.splice(at, 1)[0];
      }
    }
    return undefined;
  }

  /** Empties the queue (the agent is stopping), oldest-and-most-urgent first. */
  drain(): T[] {
    const all = ORDER.flatMap((p) => this.lanes.get(p)!.splice(0));
    this.count = 0;
    return all;
  }
}
