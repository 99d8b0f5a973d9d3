import type { ExecutionState } from '../generated/prisma/enums.js';

/** States an execution never leaves. */
export const TERMINAL_STATES: readonly ExecutionState[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];
export const UNFINISHED_STATES: readonly ExecutionState[] = ['PENDING', 'QUEUED', 'DISPATCHED', 'RUNNING'];

export const isTerminal = (s: ExecutionState): boolean => TERMINAL_STATES.includes(s);

// Unfinished states in the order an execution moves through them.
const PROGRESS: Record<string, number> = { PENDING: 0, QUEUED: 1, DISPATCHED: 2, RUNNING: 3 };
// Among finished executions, the worst outcome names the command.
const FAILURE_PRECEDENCE: readonly ExecutionState[] = ['FAILED', 'TIMED_OUT', 'CANCELLED'];

/**
 * A command's state, derived from its executions (as documented on
 * `Command.state` in command.proto): while any execution is unfinished, the
 * least advanced unfinished state; once all are finished, FAILED, TIMED_OUT or
 * CANCELLED if any ended so (in that precedence), else COMPLETED. A command
 * with no executions (never stored that way) reads as PENDING.
 */
export function deriveCommandState(executionStates: readonly ExecutionState[]): ExecutionState {
  if (executionStates.length === 0) return 'PENDING';
  const unfinished = executionStates.filter((s) => !isTerminal(s));
  if (unfinished.length > 0) {
    return unfinished.reduce((least, s) => ((PROGRESS[s] ?? 0) < (PROGRESS[least] ?? 0) ? s : least));
  }
  return FAILURE_PRECEDENCE.find((s) => executionStates.includes(s)) ?? 'COMPLETED';
}
