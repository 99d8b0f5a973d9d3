import type { Plan } from '../program/plan.js';

/** Without statistics a filter is assumed to keep half its rows, a `when` half its emits. */
export const FILTER_SELECTIVITY = 0.5;
/** Groups assumed for n rows with unknown key distribution. */
export const estimateGroups = (n: number) => Math.max(1, Math.ceil(Math.sqrt(n)));
export const DEFAULT_SOURCE_ROWS = 1000;

/** Estimated output rows per tile, from source sizes (known inline sizes win). */
export function estimateRows(plan: Plan, sourceRows: Readonly<Record<string, number>> = {}): Map<string, number> {
  const rows = new Map<string, number>();
  for (const n of plan.nodes) {
    const input = rows.get(n.inputs[0] ?? '') ?? 0;
    let out: number;
    switch (n.kind) {
      case 'records':
        out = n.rows?.length ?? sourceRows[n.id] ?? DEFAULT_SOURCE_ROWS;
        break;
      case 'columns':
        out = n.data === undefined ? (sourceRows[n.id] ?? DEFAULT_SOURCE_ROWS) : (Object.values(n.data)[0]?.length ?? 0);
        break;
      case 'filter':
        out = input * FILTER_SELECTIVITY;
        break;
      case 'flatMap':
        out = input * n.emit.reduce((s, e) => s + (e.when === undefined ? 1 : FILTER_SELECTIVITY), 0);
        break;
      case 'reduce':
        out = 1;
        break;
      case 'groupBy':
        out = Math.min(input, estimateGroups(input));
        break;
      case 'window':
        out = Math.min(input * (n.size / n.slide), estimateGroups(input) * (n.size / n.slide));
        break;
      case 'limit':
        out = Math.min(input, n.count);
        break;
      case 'merge':
        out = n.inputs.reduce((s, i) => s + (rows.get(i) ?? 0), 0);
        break;
      default:
        out = input;
    }
    rows.set(n.id, out);
  }
  return rows;
}
