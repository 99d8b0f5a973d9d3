import type { ExecutionUpdate } from '@fleetplane/contracts';
import { isTerminal } from '../executions/command-state.js';
import type { ExecutionOutcome } from '../executions/command.repository.js';
import type { ExecutionState } from '../generated/prisma/enums.js';
import type { UpdateResult } from './execution-updates.service.js';

/** What the batch needs to know of one execution before it moves it. */
export interface ExecutionSnapshot {
  id: string;
  commandId: string;
  agentId: string;
  state: ExecutionState;
  truncated: boolean;
  /** When its command was submitted (executions are created with it). */
  createdAt: Date;
  /** Its command has max_errors or max_concurrency, so a finish must run the rate-control step. */
  rateControlled: boolean;
}

/**
 * One execution's move as the batch writes it: from the state it was read in (the write is
 * conditional on it) to where its updates take it. `runningAt` is set when it passes through
 * RUNNING, `outcome` when it finishes.
 */
export interface PlannedMove {
  snapshot: ExecutionSnapshot;
  to: ExecutionState;
  runningAt?: Date;
  outcome?: ExecutionOutcome;
  /** The updates this move stands for, in arrival order (applied one by one if the write loses a race). */
  updates: ExecutionUpdate[];
}

export interface UpdatePlan {
  moves: PlannedMove[];
  /** Updates that change nothing, by why (for the ignored-updates metric and the log). */
  ignored: Array<{ update: ExecutionUpdate; result: Exclude<UpdateResult, 'applied'> }>;
  /** A repeated final result of an execution already finished, of a command with rate control: its step is run again (it may have failed the first time; it is idempotent). */
  refinish: Array<{ commandId: string; state: ExecutionState }>;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
/** PostgreSQL text cannot hold NUL; a process may print it. */
const storable = (text: string | undefined): string => (text ?? '').replaceAll('\0', '\uFFFD');

/**
 * The outcome a final update records (REJECTED: the agent refused to run it, stored as FAILED
 * with its reason). Made storable: an exit code outside int4 is unknown (null), NUL becomes
 * U+FFFD — one unstorable result must not hold back the batch it arrived in.
 */
export function outcomeOf(u: ExecutionUpdate, alreadyTruncated: boolean): ExecutionOutcome {
  const state = u.status === 'REJECTED' ? 'FAILED' : (u.status as ExecutionOutcome['state']);
  const exitCode = u.exitCode !== undefined && u.exitCode >= INT32.min && u.exitCode <= INT32.max ? u.exitCode : null;
  return {
    state,
    finishedAt: new Date(u.at),
    exitCode,
    stdout: storable(u.stdout),
    stderr: storable(u.stderr),
    truncated: (u.truncated ?? false) || alreadyTruncated,
    error: storable(u.status === 'REJECTED' ? `rejected by the agent: ${u.error ?? 'no reason given'}` : u.error),
  };
}

/**
 * Folds a batch of execution updates (in stream order) over the executions as read, with the
 * rules the single-update path has: the hub stamps agentId from the authenticated socket, so
 * an update naming another agent is not trusted; RUNNING moves an execution not yet running;
 * the first final outcome stands; nothing moves after it. Several updates of one execution
 * (RUNNING and its result in one batch) become one move.
 */
export function planUpdates(updates: readonly ExecutionUpdate[], snapshots: ReadonlyMap<string, ExecutionSnapshot>): UpdatePlan {
  const moves = new Map<string, PlannedMove>();
  const plan: UpdatePlan = { moves: [], ignored: [], refinish: [] };
  for (const u of updates) {
    const snapshot = snapshots.get(u.executionId);
    if (!snapshot) {
      plan.ignored.push({ update: u, result: 'unknown_execution' });
      continue;
    }
    if (snapshot.agentId !== u.agentId) {
      plan.ignored.push({ update: u, result: 'foreign_agent' });
      continue;
    }
    const move = moves.get(u.executionId);
    const state = move?.to ?? snapshot.state;
    if (isTerminal(state)) {
      if (u.status !== 'RUNNING' && !move && snapshot.rateControlled) plan.refinish.push({ commandId: snapshot.commandId, state });
      plan.ignored.push({ update: u, result: 'already_finished' });
      continue;
    }
    const next: PlannedMove = move ?? { snapshot, to: state, updates: [] };
    if (u.status === 'RUNNING') {
      if (state === 'RUNNING') {
        plan.ignored.push({ update: u, result: 'stale' });
        continue;
      }
      next.to = 'RUNNING';
      next.runningAt = new Date(u.at);
    } else {
      next.outcome = outcomeOf(u, snapshot.truncated);
      next.to = next.outcome.state;
    }
    next.updates.push(u);
    moves.set(u.executionId, next);
  }
  plan.moves = [...moves.values()];
  return plan;
}
