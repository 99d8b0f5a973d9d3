import { FINISHED_STATES, type Command, type Execution } from '../api/schemas.js';
import { CliError, EXIT_CLI, EXIT_OK } from '../errors.js';

export interface Writer {
  write(s: string): unknown;
}

/**
 * `run`'s exit status: 0 only when every execution succeeded. Each execution's own: the remote
 * process's exit code (0 when it COMPLETED without one), or 255 when it ended without one (agent
 * not connected, spawn error, timeout, cancelled, skipped, expired). One target: that; several:
 * the first non-zero one in the order the targets were given (agent id order for a selector,
 * as the gateway pages them), else 0 — so `run a,b -- test -f x` fails when any agent failed,
 * with that agent's code.
 */
export function exitCodeFor(executions: Execution[], targets: string[] = []): number {
  if (executions.length === 0) return EXIT_CLI;
  const order = (e: Execution) => {
    const i = targets.indexOf(e.agentId);
    return i < 0 ? targets.length : i;
  };
  // A stable sort: agents not named keep the gateway's order.
  const ordered = [...executions].sort((a, b) => order(a) - order(b));
  for (const e of ordered) {
    const code = executionExitCode(e);
    if (code !== EXIT_OK) return code;
  }
  return EXIT_OK;
}

export function executionExitCode(e: Pick<Execution, 'state' | 'exitCode'>): number {
  if (e.state === 'COMPLETED') return e.exitCode !== null && inExitRange(e.exitCode) ? e.exitCode : EXIT_OK;
  // A non-zero code is the remote process's own answer; anything else is a failure without one.
  if (e.exitCode !== null && e.exitCode !== 0 && inExitRange(e.exitCode)) return e.exitCode;
  return EXIT_CLI;
}

const inExitRange = (n: number) => Number.isInteger(n) && n >= 0 && n <= 255;

/** Why an execution failed without output of its own, for stderr; null when it succeeded or has nothing to say. */
export function failureNote(e: Execution): string | null {
  if (e.state === 'COMPLETED' || (!e.error && !e.reason && e.exitCode !== null)) return null;
  const why = e.error ?? e.reason;
  return `fleetplane: execution ${e.state}${why ? `: ${why}` : ''}\n`;
}

export function prefixLines(text: string, prefix: string): string {
  if (!prefix) return text;
  // A final newline ends the last line rather than starting an empty one.
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  return lines.map((l) => prefix + l).join('\n') + '\n';
}

export interface WaitOptions {
  /** Gives up after this long. */
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Each answer while waiting, the last (finished) one included: the progress line. */
  onPoll?: (c: Command) => void;
}

const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1_000;

/** Polls GET /commands/:id (its summary) until the command finished: quick at first, backing off to 1 s. */
export async function waitForCommand(get: (id: string) => Promise<Command>, id: string, opts: WaitOptions): Promise<Command> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  let delay = FIRST_POLL_MS;
  for (;;) {
    const c = await get(id);
    opts.onPoll?.(c);
    if (FINISHED_STATES.has(c.state)) return c;
    if (now() >= deadline) {
      throw new CliError(`command ${id} is still ${c.state} after ${Math.round(opts.timeoutMs / 1000)} s: see fleetplane commands get ${id}`);
    }
    await sleep(Math.min(delay, Math.max(0, deadline - now())));
    delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
  }
}
