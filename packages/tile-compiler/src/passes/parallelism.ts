import type { Stage } from './stages.js';
import { stageInputs, stageTiles } from './stages.js';

export interface StageParallelism {
  readonly output: string;
  /** data-parallel: partition the input by index range, run each part, combine. */
  readonly mode: 'data-parallel' | 'sequential' | 'source' | 'gather';
  readonly combine: string;
}

export interface ParallelismReport {
  readonly stages: readonly StageParallelism[];
  /** Groups of stages with no path between them: they may run at the same time. */
  readonly independentWaves: readonly (readonly string[])[];
}

/**
 * Decides, per stage, whether it can be split across partitions and how the
 * parts recombine, and which stages are independent of each other.
 */
export function detectParallelism(stages: readonly Stage[]): ParallelismReport {
  const report = stages.map((s): StageParallelism => {
    if (s.kind === 'op') {
      switch (s.node.kind) {
        case 'records':
        case 'columns':
          return { output: s.output, mode: 'source', combine: '-' };
        case 'sort':
          return { output: s.output, mode: 'data-parallel', combine: 'sort each partition, k-way merge (ties to earlier partition)' };
        case 'limit':
          return { output: s.output, mode: 'data-parallel', combine: `keep ${s.node.count} per partition, concatenate, keep ${s.node.count}` };
        default:
          return { output: s.output, mode: 'gather', combine: 'concatenate inputs in order' };
      }
    }
    const t = s.terminal;
    if (t === undefined) return { output: s.output, mode: 'data-parallel', combine: 'concatenate partitions in order' };
    const custom = t.aggregates.filter((a) => a.agg.op === 'custom' && a.agg.combine === undefined).map((a) => a.name);
    if (custom.length > 0) return { output: s.output, mode: 'sequential', combine: `custom aggregate ${custom.join(', ')} has no combine` };
    const how = t.aggregates
      .map((a) => `${a.name}:${a.agg.op === 'custom' ? 'custom combine' : a.agg.op === 'mean' ? 'sum+count' : a.agg.op === 'count' ? 'sum' : a.agg.op}`)
      .join(', ');
    return { output: s.output, mode: 'data-parallel', combine: t.kind === 'reduce' ? `combine accumulators (${how})` : `merge partial groups by key (${how})` };
  });

  // Wave = longest path from a source; stages in one wave never depend on each other.
  const producer = new Map<string, number>();
  stages.forEach((s, i) => stageTiles(s).forEach((t) => producer.set(t, i)));
  const wave: number[] = [];
  stages.forEach((s, i) => {
    const deps = stageInputs(s).map((id) => wave[producer.get(id) as number] ?? 0);
    wave[i] = deps.length === 0 ? 0 : Math.max(...deps) + 1;
  });
  const waves: string[][] = [];
  stages.forEach((s, i) => {
    if (s.kind === 'op' && (s.node.kind === 'records' || s.node.kind === 'columns' || s.node.kind === 'sink')) return;
    (waves[wave[i] as number] ??= []).push(s.output);
  });
  return { stages: report, independentWaves: waves.filter((w) => w !== undefined && w.length > 1) };
}
