import type { CompiledChain, Partial } from '../codegen/chain.js';
import type { Plan } from '../program/plan.js';
import type { Inputs, Outputs, Row } from '../program/types.js';
import type { OpStage } from '../passes/stages.js';
import { bindSource, toRows, type SourceData } from './bind.js';
import { mergeSortedRuns, partitionRanges, rowComparator } from './operators.js';

export type CompiledStage = { readonly kind: 'chain'; readonly chain: CompiledChain } | { readonly kind: 'op'; readonly stage: OpStage };

export interface ExecuteOptions {
  /** Run partitionable stages across this many in-process partitions (the worker pool's shape). Default 1. */
  readonly partitions?: number;
}

type Value = SourceData | Row[];

function rowsOf(value: Value, fields: readonly string[]): Row[] {
  if (Array.isArray(value)) return value;
  if (value.kind === 'columns') return toRows(value, fields);
  // Bound records may carry fields outside the schema; outputs carry exactly the schema.
  return value.rows.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] as Row[string]])));
}

/**
 * A data-parallel stage's work, handed to whoever runs partitions: this
 * thread (execute) or a worker pool. `stageIndex` indexes the compiled
 * stages, so a worker that compiled the same program finds the same loop.
 */
export interface PartitionRequest {
  readonly stageIndex: number;
  readonly chain: CompiledChain;
  /** The stage's input: a row array or the column arrays of a columns source. */
  readonly src: unknown;
  readonly ranges: readonly { readonly start: number; readonly end: number }[];
}

/** Runs compiled stages in plan order in this thread, optionally partitioning each data-parallel stage. */
export function execute(plan: Plan, stages: readonly CompiledStage[], inputs: Inputs, options: ExecuteOptions = {}): Outputs {
  const steps = executeSteps(plan, stages, inputs, options);
  let step = steps.next();
  while (step.done !== true) {
    const { chain, src, ranges } = step.value;
    step = steps.next(ranges.map((r) => chain.runPartition(src, r.start, r.end)));
  }
  return step.value;
}

/**
 * The one description of how a plan runs: yields each chain stage's
 * partitions and takes their partials back (in range order), so the
 * in-process run and a worker pool share every other step (binding,
 * combining, sort, limit, merge, sinks).
 */
export function* executeSteps(
  plan: Plan,
  stages: readonly CompiledStage[],
  inputs: Inputs,
  options: ExecuteOptions = {},
): Generator<PartitionRequest, Outputs, Partial[]> {
  const k = Math.max(1, Math.floor(options.partitions ?? 1));
  const schemas = new Map(plan.nodes.map((n) => [n.id, Object.keys(n.schema)]));
  const results = new Map<string, Value>();
  const outputs: Outputs = {};
  const get = (id: string) => results.get(id) as Value;

  for (const [stageIndex, s] of stages.entries()) {
    if (s.kind === 'chain') {
      const chain = s.chain;
      const input = get(chain.stage.input);
      const src = Array.isArray(input) ? input : input.kind === 'rows' ? input.rows : input.columns;
      const length = Array.isArray(input) ? input.length : input.kind === 'rows' ? input.rows.length : input.length;
      const ranges = k > 1 && chain.partitionable ? partitionRanges(length, k) : [{ start: 0, end: length }];
      const partials: Partial[] = yield { stageIndex, chain, src, ranges };
      results.set(chain.stage.output, chain.combine(partials));
      continue;
    }
    const node = s.stage.node;
    const fields = (id: string) => schemas.get(id) ?? [];
    switch (node.kind) {
      case 'records':
      case 'columns':
        results.set(node.id, bindSource(node, inputs));
        break;
      case 'sort': {
        const rows = rowsOf(get(node.inputs[0] as string), fields(node.id));
        const cmp = rowComparator(node);
        const runs = partitionRanges(rows.length, k).map((r) => rows.slice(r.start, r.end).sort(cmp));
        results.set(node.id, runs.length === 1 ? (runs[0] as Row[]) : mergeSortedRuns(runs, cmp));
        break;
      }
      case 'limit': {
        const rows = rowsOf(get(node.inputs[0] as string), fields(node.id));
        // Each partition keeps at most `count` rows; the concatenation's prefix is the answer.
        const parts = partitionRanges(rows.length, k).map((r) => rows.slice(r.start, Math.min(r.end, r.start + node.count)));
        results.set(node.id, parts.flat().slice(0, node.count));
        break;
      }
      case 'merge':
        results.set(
          node.id,
          node.inputs.flatMap((i) => rowsOf(get(i), fields(node.id))),
        );
        break;
      case 'sink':
        outputs[node.id] = rowsOf(get(node.inputs[0] as string), fields(node.id));
        results.set(node.id, outputs[node.id] as Row[]);
        break;
    }
  }
  return outputs;
}
