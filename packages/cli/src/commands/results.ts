import { FINISHED_STATES, type CommandDetail, type Execution } from '../api/schemas.js';
import { CliError, EXIT_CLI, EXIT_OK } from '../errors.js';

export interface Writer {
  write(s: string): unknown;
}

/**
 * `run`'s exit status. Each execution's own: the remote process's exit code (0 when it COMPLETED
 * without one), or 255 when it ended without one (agent not connected, spawn error, timeout,
 * cancelled). One target: that; several: the first non-zero one in the order the targets were
 * given, else 0 — so `run a,b -- test -f x` fails when any agent failed, with that agent's code.
 */
export function exitCodeFor(command: CommandDetail, targets: string[] = []): number {
  if (command.executions.length === 0) return EXIT_CLI;
  const order = (e: Execution) => {
    const i = targets.indexOf(e.agentId);
    return i < 0 ? targets.length : i;
  };
  const ordered = [...command.executions].sort((a, b) => order(a) - order(b));
  for (const e of ordered) {
    const code = executionExitCode(e);
    if (code !== EXIT_OK) return code;
  }
  return EXIT_OK;
}

export function executionExitCode(e: Execution): number {
  if (e.state === 'COMPLETED') return e.exitCode !== null && inExitRange(e.exitCode) ? e.exitCode : EXIT_OK;
  // A non-zero code is the remote process's own answer; anything else is a failure without one.
  if (e.exitCode !== null && e.exitCode !== 0 && inExitRange(e.exitCode)) return e.exitCode;
  return EXIT_CLI;
}

const inExitRange = (n: number) => Number.isInteger(n) && n >= 0 && n <= 255;

/**
 * Each execution's stdout to stdout and stderr to stderr, as the process wrote them; with several
 * targets every line is prefixed "[agent] " so the outputs can be told apart. A failure without
 * output of its own (spawn error, timeout, agent not connected) says why on stderr.
 */
export function printResults(command: CommandDetail, out: Writer, err: Writer): void {
  const several = command.executions.length > 1;
  for (const e of command.executions) {
    const prefix = several ? `[${e.agentId}] ` : '';
    if (e.stdout) out.write(prefixLines(e.stdout, prefix));
    if (e.stderr) err.write(prefixLines(e.stderr, prefix));
    if (e.truncated) err.write(`${prefix}fleetplane: output was truncated by the agent\n`);
    if (e.state !== 'COMPLETED' && (e.error || e.exitCode === null)) {
      err.write(`${prefix}fleetplane: execution ${e.state}${e.error ? `: ${e.error}` : ''}\n`);
    }
  }
}

export function prefixLines(text: string, prefix: string): string {
  if (!prefix) return text;
  // A final newline ends the last line rather than starting an empty one.
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  return lines.map((l) => prefix + l).join('\n') + '\n';
}

export interface WaitOptions {
  /** Gives up after this long (the command's own timeout plus a margin). */
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1_000;

/** Polls GET /commands/:id until every execution finished: quick at first, backing off to 1 s. */
export async function waitForCommand(get: (id: string) => Promise<CommandDetail>, id: string, opts: WaitOptions): Promise<CommandDetail> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  let delay = FIRST_POLL_MS;
  for (;;) {
    const c = await get(id);
    if (FINISHED_STATES.has(c.state)) return c;
    if (now() >= deadline) {
      throw new CliError(`command ${id} is still ${c.state} after ${Math.round(opts.timeoutMs / 1000)} s: see fleetplane commands get ${id}`);
    }
    await sleep(Math.min(delay, Math.max(0, deadline - now())));
    delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
  }
}
