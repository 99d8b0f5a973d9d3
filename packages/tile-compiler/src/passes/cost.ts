import { nodeCount } from '../expressions/ast.js';
import type { NamedAggregate, Plan, PlanNode } from '../program/plan.js';
import { stageTiles, type Stage } from './stages.js';

/**
 * Cost model. Work is counted in "ops": one per expression node evaluated,
 * one per field loaded or stored, SORT_OPS_PER_COMPARE per comparison.
 * Bytes are those of materialised intermediate arrays (ROW_BYTES_BASE +
 * BYTES_PER_FIELD per row). The same formulas run over measured row counts
 * give the "measured" figures; the model's claim (tested) is that estimated
 * ops and bytes are within COST_MODEL_FACTOR of measured ones whenever real
 * filter selectivities lie in [0.25, 1].
 */
export const COST_MODEL_FACTOR = 2;
export const ROW_BYTES_BASE = 24;
export const BYTES_PER_FIELD = 16;
export const SORT_OPS_PER_COMPARE = 4;
/** Calibrated on the benchmark machine (Node 24, fused loops); wall time is only indicative. */
export const NS_PER_OP = 0.5;
export const NS_PER_MATERIALISED_ROW = 25;

export interface CostEstimate {
  readonly ops: number;
  readonly bytes: number;
  readonly estimatedMs: number;
  readonly perTile: ReadonlyMap<string, { readonly rowsIn: number; readonly ops: number }>;
}

const aggOps = (aggs: readonly NamedAggregate[]) =>
  aggs.reduce((s, { agg }) => s + 1 + (agg.op === 'count' ? 0 : agg.op === 'custom' ? nodeCount(agg.step) : nodeCount(agg.expr)), 0);

function opsPerRow(n: PlanNode): number {
  const fields = Object.keys(n.schema).length;
  switch (n.kind) {
    case 'records':
    case 'columns':
      return fields;
    case 'map':
      return n.fields.reduce((s, f) => s + nodeCount(f.expr), 0);
    case 'filter':
      return nodeCount(n.predicate);
    case 'flatMap':
      return n.emit.reduce((s, e) => s + (e.when === undefined ? 0 : nodeCount(e.when)) + e.fields.reduce((t, f) => t + nodeCount(f.expr), 0), 0);
    case 'reduce':
      return aggOps(n.aggregates);
    case 'groupBy':
      return aggOps(n.aggregates) + n.keys.length + 2;
    case 'window':
      return (aggOps(n.aggregates) + n.keys.length + 3) * (n.size / n.slide);
    default:
      return 1;
  }
}

/**
 * `rowsOut(id)` is either the cardinality estimate or a measured count;
 * materialised outputs are those the stage plan actually stores.
 */
export function costOf(plan: Plan, stages: readonly Stage[], rowsOut: (id: string) => number): CostEstimate {
  const materialised = new Set<string>();
  for (const s of stages) {
    if (s.kind === 'chain' || s.node.kind === 'sort' || s.node.kind === 'limit' || s.node.kind === 'merge') materialised.add(s.output);
  }
  const fused = new Set(stages.flatMap((s) => (s.kind === 'chain' ? stageTiles(s) : [])));
  let ops = 0;
  let bytes = 0;
  let rowsStored = 0;
  const perTile = new Map<string, { rowsIn: number; ops: number }>();
  for (const n of plan.nodes) {
    const rowsIn = n.kind === 'records' || n.kind === 'columns' ? rowsOut(n.id) : n.inputs.reduce((s, i) => s + rowsOut(i), 0);
    let tileOps = rowsIn * opsPerRow(n);
    if (n.kind === 'sort' && rowsIn > 1) tileOps += rowsIn * Math.log2(rowsIn) * SORT_OPS_PER_COMPARE;
    if (materialised.has(n.id)) {
      const rows = rowsOut(n.id);
      rowsStored += rows;
      bytes += rows * (ROW_BYTES_BASE + BYTES_PER_FIELD * Object.keys(n.schema).length);
      tileOps += rows * Object.keys(n.schema).length;
    } else if (!fused.has(n.id) && n.kind !== 'sink' && n.kind !== 'records' && n.kind !== 'columns') {
      rowsStored += rowsOut(n.id);
    }
    ops += tileOps;
    perTile.set(n.id, { rowsIn, ops: tileOps });
  }
  return { ops, bytes, perTile, estimatedMs: (ops * NS_PER_OP + rowsStored * NS_PER_MATERIALISED_ROW) / 1e6 };
}
