import type { ExecutionState } from '../generated/prisma/enums.js';

/** States an execution never leaves. */
export const TERMINAL_STATES: readonly ExecutionState[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'SKIPPED', 'EXPIRED'];
export const UNFINISHED_STATES: readonly ExecutionState[] = ['PENDING', 'QUEUED', 'DISPATCHED', 'RUNNING'];
/** Released and not finished: what max concurrency counts. */
export const IN_FLIGHT_STATES: readonly ExecutionState[] = ['QUEUED', 'DISPATCHED', 'RUNNING'];
/** What max errors counts. A SKIPPED or CANCELLED execution is not an error of its agent. */
export const ERROR_STATES: readonly ExecutionState[] = ['FAILED', 'TIMED_OUT', 'EXPIRED'];
/** Every state, in the order of the proto enum (summaries list them so). */
export const ALL_STATES: readonly ExecutionState[] = [...UNFINISHED_STATES, 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'SKIPPED', 'EXPIRED'];

export const isTerminal = (s: ExecutionState): boolean => TERMINAL_STATES.includes(s);

// Unfinished states in the order an execution moves through them.
const PROGRESS: Record<string, number> = { PENDING: 0, QUEUED: 1, DISPATCHED: 2, RUNNING: 3 };
// Among finished executions, the worst outcome names the command.
const FAILURE_PRECEDENCE: readonly ExecutionState[] = ['FAILED', 'TIMED_OUT', 'EXPIRED', 'CANCELLED'];

/**
 * A command's state, derived from how many of its executions are in each
 * state (as documented on `Command.state` in command.proto): while any is
 * unfinished, the least advanced unfinished state; once all are finished,
 * FAILED if it ended early for too many errors, else FAILED, TIMED_OUT,
 * EXPIRED or CANCELLED if any ended so (in that precedence), SKIPPED if every
 * one was skipped, else COMPLETED. No executions reads as PENDING.
 */
export function deriveCommandState(counts: Partial<Record<ExecutionState, number>>, endedForErrors = false): ExecutionState {
  const present = (s: ExecutionState) => (counts[s] ?? 0) > 0;
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  if (total === 0) return 'PENDING';
  const unfinished = UNFINISHED_STATES.filter(present);
  if (unfinished.length > 0) return unfinished.reduce((least, s) => ((PROGRESS[s] ?? 0) < (PROGRESS[least] ?? 0) ? s : least));
  if (endedForErrors) return 'FAILED';
  const worst = FAILURE_PRECEDENCE.find(present);
  if (worst) return worst;
  return counts.SKIPPED === total ? 'SKIPPED' : 'COMPLETED';
}

/** How many of `states` are in each state. */
export function countStates(states: readonly ExecutionState[]): Partial<Record<ExecutionState, number>> {
  const counts: Partial<Record<ExecutionState, number>> = {};
  for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}
