import { parentPort, threadId } from 'node:worker_threads';
import { compile, warmUpCompiler, type CompiledProgram } from '@fleetplane/tile-compiler';
import type { PartitionResult, PartitionStarted, PartitionTask } from './partition-task.js';
import { decodeRows, isRowBatch } from './row-batch.js';

// Compiled programs of this thread, by hash. A thread compiles a program once
// (generated functions cannot be posted between threads); a few recent ones are kept.
const KEEP = 32;
const programs = new Map<string, CompiledProgram>();

// Each thread compiles the programs it runs: optimise the compiler's code as the thread starts,
// so a thread's first partition does not pay for a cold compile.
warmUpCompiler();

function compiled(task: PartitionTask): CompiledProgram {
  let program = programs.get(task.programHash);
  if (program) {
    programs.delete(task.programHash);
  } else {
    program = compile(JSON.parse(task.programJson));
    if (programs.size >= KEEP) programs.delete(programs.keys().next().value as string);
  }
  programs.set(task.programHash, program);
  return program;
}

/** The piscina task: run rows [start, end) of one chain stage into its partial. */
export default function runPartition(task: PartitionTask): PartitionResult {
  const started: PartitionStarted = { kind: 'partition-started', threadId, stageIndex: task.stageIndex, start: task.start };
  parentPort?.postMessage(started);
  const stage = compiled(task).compiled[task.stageIndex];
  if (stage?.kind !== 'chain') throw new Error(`stage #${task.stageIndex + 1} is not a loop`);
  const src = isRowBatch(task.src) ? decodeRows(task.src) : task.src;
  return { partial: stage.chain.runPartition(src, task.start, task.end), threadId };
}
