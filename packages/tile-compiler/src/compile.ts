import { compileChain } from './codegen/chain.js';
import type { Partial } from './codegen/chain.js';
import { execute, executeSteps, type CompiledStage, type ExecuteOptions, type PartitionRequest } from './executor/execute.js';
import { explainPlan } from './explain/explain.js';
import { estimateRows } from './passes/cardinality.js';
import { costOf, type CostEstimate } from './passes/cost.js';
import { eliminateDeadTiles } from './passes/dead-tiles.js';
import { fuseChains } from './passes/fusion.js';
import { estimateMemory, type MemoryReport } from './passes/memory.js';
import { mergeIdenticalSubplans } from './passes/merge-identical.js';
import { detectParallelism, type ParallelismReport } from './passes/parallelism.js';
import { projectUnusedFields } from './passes/project-fields.js';
import type { Stage } from './passes/stages.js';
import type { Plan } from './program/plan.js';
import { resolveProgram } from './program/resolve.js';
import type { Inputs, Outputs } from './program/types.js';
import { validateProgram } from './program/validate.js';

export interface CompileOptions {
  /** Fuse chains into single loops (default true). False gives one loop and one array per tile. */
  readonly fuse?: boolean;
  /** Run dead-code, identical-sub-plan and field-projection passes (default true). */
  readonly optimise?: boolean;
  /** Expected rows per run-time-bound source, for the memory and cost estimates. */
  readonly sourceRows?: Readonly<Record<string, number>>;
}

export interface CompiledProgram {
  /** The plan as written (validated and typed), for the reference interpreter. */
  readonly original: Plan;
  /** The plan after optimisation passes. */
  readonly plan: Plan;
  readonly stages: readonly Stage[];
  readonly compiled: readonly CompiledStage[];
  readonly parallelism: ParallelismReport;
  readonly memory: MemoryReport;
  readonly cost: CostEstimate;
  run(inputs?: Inputs, options?: ExecuteOptions): Outputs;
  /** The same run as steps whose partitions the caller executes (a worker pool); see executeSteps. */
  steps(inputs?: Inputs, options?: ExecuteOptions): Generator<PartitionRequest, Outputs, Partial[]>;
  explain(): string;
}

export function compile(program: unknown, options: CompileOptions = {}): CompiledProgram {
  const original = resolveProgram(validateProgram(program));
  let plan = original;
  if (options.optimise ?? true) plan = projectUnusedFields(mergeIdenticalSubplans(eliminateDeadTiles(plan)));
  const fusion = fuseChains(plan, { fuse: options.fuse ?? true });
  const stages = fusion.stages;
  const schemaOf = new Map(plan.nodes.map((n) => [n.id, n]));
  const compiled: CompiledStage[] = stages.map((s) => {
    if (s.kind === 'op') return { kind: 'op', stage: s };
    const input = schemaOf.get(s.input);
    return { kind: 'chain', chain: compileChain(s, Object.keys(input?.schema ?? {}), input?.kind === 'columns') };
  });
  const parallelism = detectParallelism(stages);
  const rows = estimateRows(plan, options.sourceRows);
  const rowsOut = (id: string) => rows.get(id) ?? 0;
  const memory = estimateMemory(plan, stages, rowsOut);
  const cost = costOf(plan, stages, rowsOut);
  plan = {
    nodes: plan.nodes,
    applied: [
      ...plan.applied,
      { pass: 'fusion', summary: fusion.summary },
      {
        pass: 'parallelism',
        summary: `${parallelism.stages.filter((p) => p.mode === 'data-parallel').length} data-parallel stage(s), ${parallelism.independentWaves.length} group(s) of independent stages`,
      },
      {
        pass: 'memory',
        summary: `${memory.intermediates.size} intermediate(s), ${memory.totalBytes} B total, ${memory.peakBytes} B peak, ${memory.reuse.length} buffer reuse(s)`,
      },
      { pass: 'cost', summary: `${Math.round(cost.ops)} ops, ${Math.round(cost.bytes)} B, ~${cost.estimatedMs.toFixed(2)} ms` },
    ],
  };
  const result: CompiledProgram = {
    original,
    plan,
    stages,
    compiled,
    parallelism,
    memory,
    cost,
    run: (inputs = {}, runOptions = {}) => execute(plan, compiled, inputs, runOptions),
    steps: (inputs = {}, runOptions = {}) => executeSteps(plan, compiled, inputs, runOptions),
    explain: () => explainPlan(result),
  };
  return result;
}

/**
 * Memory and cost estimates of an already compiled program for given source
 * sizes, without compiling it again: the stage structure does not depend on
 * row counts, so a service can compile once per program and still check
 * each job's sizes before running it.
 */
export function estimateFor(program: CompiledProgram, sourceRows: Readonly<Record<string, number>>): { memory: MemoryReport; cost: CostEstimate } {
  const rows = estimateRows(program.plan, sourceRows);
  const rowsOut = (id: string) => rows.get(id) ?? 0;
  return { memory: estimateMemory(program.plan, program.stages, rowsOut), cost: costOf(program.plan, program.stages, rowsOut) };
}
