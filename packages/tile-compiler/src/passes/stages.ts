import type { NodeOf, PlanNode } from '../program/plan.js';

/** Streamable tiles: one row in, zero or more rows out, no state. These fuse. */
export type StreamNode = NodeOf<'map'> | NodeOf<'filter'> | NodeOf<'flatMap'>;
/** Aggregating tiles that can end a fused loop, keeping only accumulators. */
export type AggregateNode = NodeOf<'reduce'> | NodeOf<'groupBy'> | NodeOf<'window'>;

/** A loop: read `input`, run `ops` row by row, end in `terminal`. */
export interface ChainStage {
  readonly kind: 'chain';
  readonly input: string;
  readonly ops: readonly StreamNode[];
  /** undefined: collect rows into an array. */
  readonly terminal: AggregateNode | undefined;
  /** The tile whose result this stage produces. */
  readonly output: string;
}

/** A tile run on its own: sources, sort, limit, merge, sink. */
export interface OpStage {
  readonly kind: 'op';
  readonly node: NodeOf<'records'> | NodeOf<'columns'> | NodeOf<'sort'> | NodeOf<'limit'> | NodeOf<'merge'> | NodeOf<'sink'>;
  readonly output: string;
}

export type Stage = ChainStage | OpStage;

export function stageTiles(stage: Stage): string[] {
  return stage.kind === 'op' ? [stage.node.id] : [...stage.ops.map((o) => o.id), ...(stage.terminal === undefined ? [] : [stage.terminal.id])];
}

export function stageInputs(stage: Stage): readonly string[] {
  return stage.kind === 'op' ? stage.node.inputs : [stage.input];
}

export function isStream(n: PlanNode): n is StreamNode {
  return n.kind === 'map' || n.kind === 'filter' || n.kind === 'flatMap';
}

export function isAggregate(n: PlanNode): n is AggregateNode {
  return n.kind === 'reduce' || n.kind === 'groupBy' || n.kind === 'window';
}
