import type { Plan } from '../program/plan.js';
import { BYTES_PER_FIELD, ROW_BYTES_BASE } from './cost.js';
import { stageInputs, type Stage } from './stages.js';

export interface MemoryReport {
  /** Bytes per materialised intermediate, by producing tile. */
  readonly intermediates: ReadonlyMap<string, number>;
  readonly totalBytes: number;
  /** Highest bytes alive at once when each buffer is freed after its last reader. */
  readonly peakBytes: number;
  /** Buffers that can take over a dead buffer's storage: [new, reused]. */
  readonly reuse: readonly (readonly [string, string])[];
}

/**
 * Memory estimation over the stage schedule: each stored intermediate lives
 * from the stage producing it to its last reader. Sinks are outputs, not
 * intermediates, and sources belong to the caller.
 */
export function estimateMemory(plan: Plan, stages: readonly Stage[], rowsOut: (id: string) => number): MemoryReport {
  const schema = new Map(plan.nodes.map((n) => [n.id, Object.keys(n.schema).length]));
  const stored = stages.filter((s) => s.kind === 'chain' || s.node.kind === 'sort' || s.node.kind === 'limit' || s.node.kind === 'merge');
  const intermediates = new Map(stored.map((s) => [s.output, rowsOut(s.output) * (ROW_BYTES_BASE + BYTES_PER_FIELD * (schema.get(s.output) ?? 0))]));
  const lastUse = new Map<string, number>();
  stages.forEach((s, i) => stageInputs(s).forEach((id) => lastUse.set(id, i)));

  const dying = new Map<number, string[]>();
  for (const id of intermediates.keys()) {
    const at = lastUse.get(id);
    if (at !== undefined) dying.set(at, [...(dying.get(at) ?? []), id]);
  }
  let live = 0;
  let peak = 0;
  const free: { id: string; bytes: number }[] = [];
  const reuse: [string, string][] = [];
  stages.forEach((s, i) => {
    const bytes = intermediates.get(s.output);
    if (bytes !== undefined) {
      const slot = free.findIndex((f) => f.bytes >= bytes);
      if (slot !== -1) reuse.push([s.output, (free.splice(slot, 1)[0] as { id: string }).id]);
      live += bytes;
      peak = Math.max(peak, live);
    }
    for (const id of dying.get(i) ?? []) {
      const b = intermediates.get(id) as number;
      live -= b;
      free.push({ id, bytes: b });
    }
  });
  const totalBytes = [...intermediates.values()].reduce((a, b) => a + b, 0);
  return { intermediates, totalBytes, peakBytes: peak, reuse };
}
