import type { CancelCommandResult, Execution } from '../api/schemas.js';
import { renderTable } from './table.js';

const exitCode = (e: Execution) => (e.exitCode === null ? null : String(e.exitCode));

/** The first non-empty line of a text, or null. */
export function firstLine(text: string): string | null {
  const line = text.split('\n').find((l) => l.trim() !== '');
  return line === undefined ? null : line.trimEnd();
}

/**
 * What one table cell says about an execution's outcome: for one that failed, its error first;
 * otherwise the first line of its output (stdout, else stderr), else why it waits or was skipped.
 */
export function outcomeOf(e: Execution): string | null {
  if (e.state !== 'COMPLETED' && e.error) return e.error;
  return firstLine(e.stdout) ?? firstLine(e.stderr) ?? e.error ?? e.reason;
}

/** `run`'s result table: one row per agent, in the gateway's order (by agent id). */
export function formatResults(executions: Execution[], width?: number): string {
  if (executions.length === 0) return 'no executions\n';
  return renderTable(
    ['AGENT', 'STATE', 'EXIT', 'OUTPUT / ERROR'],
    executions.map((e) => [e.agentId, e.state, exitCode(e), outcomeOf(e)]),
    width,
  );
}

/** `commands executions`: one row per execution, with its id for `commands output`. */
export function formatExecutions(executions: Execution[], width?: number): string {
  if (executions.length === 0) return 'no executions\n';
  return renderTable(
    ['EXECUTION', 'AGENT', 'STATE', 'EXIT', 'ATTEMPTS', 'OUTPUT', 'FINISHED', 'OUTPUT / ERROR'],
    executions.map((e) => [e.id, e.agentId, e.state, exitCode(e), e.attempts, outputSize(e), e.finishedAt, outcomeOf(e)]),
    width,
  );
}

/** Stored bytes, stdout+stderr, `+` when the cap cut it. */
function outputSize(e: Execution): string {
  return `${e.stdoutBytes}+${e.stderrBytes}${e.truncated ? ' (cut)' : ''}`;
}

export function formatCancel(r: CancelCommandResult): string {
  return `${r.command.id}: ${r.cancelled} cancelled at once, ${r.stopping} running told to stop [${r.command.state}]\n`;
}
