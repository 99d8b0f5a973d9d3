import type { CompiledProgram, Inputs, Outputs } from '@fleetplane/tile-compiler';
import type { PartitionPool } from './partition-pool.js';

export interface PoolRun {
  readonly outputs: Outputs;
  /** Partitions that ran on worker threads. */
  readonly partitions: number;
  readonly threads: number;
  readonly retries: number;
}

/**
 * Runs a compiled program with its data-parallel stages spread over the pool
 * (one partition per worker) and everything else in this thread, through the
 * compiler's executeSteps — the same steps as its in-process partitioned run,
 * so results are identical. A stage that cannot be partitioned (a custom
 * aggregate without combine) runs as one partition on one worker. A stage whose input is smaller than
 * `minPoolRows` runs in this thread: posting it would cost more than it saves.
 */
export async function runOnPool(
  compiled: CompiledProgram,
  program: { hash: string; json: string },
  inputs: Inputs,
  pool: PartitionPool,
  opts: { signal: AbortSignal; minPoolRows: number },
): Promise<PoolRun> {
  const steps = compiled.steps(inputs, { partitions: pool.maxWorkers });
  const schemas = new Map(compiled.plan.nodes.map((n) => [n.id, n.schema]));
  const threads = new Set<number>();
  let partitions = 0;
  let retries = 0;
  let step = steps.next();
  while (step.done !== true) {
    opts.signal.throwIfAborted();
    const req = step.value;
    const rows = req.ranges.reduce((n, r) => n + r.end - r.start, 0);
    if (rows < opts.minPoolRows) {
      step = steps.next(req.ranges.map((r) => req.chain.runPartition(req.src, r.start, r.end)));
      continue;
    }
    const run = await pool.runStage(program.hash, program.json, req, opts.signal, schemas.get(req.chain.stage.input));
    run.threads.forEach((t) => threads.add(t));
    partitions += req.ranges.length;
    retries += run.retries;
    step = steps.next(run.partials);
  }
  return { outputs: step.value, partitions, threads: threads.size, retries };
}
