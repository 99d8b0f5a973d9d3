import type { ApiClient } from '../api/client.js';
import { followCommand } from '../api/live-changes.js';
import type { SubmitCommand } from '../api/requests.js';
import type { Command, Execution, Priority } from '../api/schemas.js';
import type { Context } from '../context.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { formatResults } from '../output/format-executions.js';
import { copyOutput } from './output-reader.js';
import { ProgressReporter } from './progress.js';
import { exitCodeFor, failureNote, prefixLines, waitForCommand } from './results.js';

/** The selector flags of `run` and `exec`, as commander parses them. */
export interface TargetOptions {
  site?: string;
  label?: Record<string, string>;
  agent?: string[];
  capability?: string[];
  os?: string;
  connected?: boolean;
}

export interface SubmitOptions extends TargetOptions {
  priority?: Priority;
  timeout?: number;
  ttl?: number;
  maxConcurrency?: number | string;
  maxErrors?: number | string;
  /** commander's --no-wait sets wait=false. */
  wait?: boolean;
  idempotencyKey?: string;
}

/** While following the live stream, the longest `run` goes without reading the command (a change it missed, a stream that closed). */
export const LIVE_POLL_MS = 5_000;

/** Past the command's own deadlines, how long the agents and the pipeline get to report back. */
export const WAIT_MARGIN_MS = 30_000;

/** Whether any selector flag other than --agent was given. */
export function hasSelector(o: TargetOptions): boolean {
  return o.site !== undefined || o.os !== undefined || o.connected !== undefined || Object.keys(o.label ?? {}).length > 0 || (o.capability?.length ?? 0) > 0;
}

/**
 * The submission's `targets`: the agent ids as a list (operands and --agent, each must exist:
 * the gateway's 404 names a missing one), or, with any other selector flag, a selector whose
 * conditions are all AND-ed (--agent then narrows it to those ids).
 */
export function targetsOf(agents: string[], o: TargetOptions): SubmitCommand['targets'] {
  const ids = [...new Set([...agents, ...(o.agent ?? [])])];
  if (!hasSelector(o)) {
    if (ids.length === 0)
      throw new UsageError('name the agents (AGENT[,AGENT...] or --agent) or select them (--site, --label, --capability, --os, --connected)');
    return ids;
  }
  return {
    ...(ids.length ? { agentIds: ids } : {}),
    ...(o.site !== undefined ? { site: o.site } : {}),
    ...(o.label && Object.keys(o.label).length ? { labels: o.label } : {}),
    ...(o.capability?.length ? { capabilities: o.capability } : {}),
    ...(o.os !== undefined ? { os: o.os } : {}),
    ...(o.connected !== undefined ? { connected: o.connected } : {}),
  };
}

/**
 * Submits a command and (unless --no-wait) waits for it with a progress line, then prints the
 * results and returns the exit code `run` should exit with. An explicit agent list prints each
 * execution's output (prefixed `[agent] ` when there are several), as `ssh` would; a selector
 * prints a table, one row per agent. `--output json|yaml` prints the finished command and every
 * execution instead.
 */
export async function submitAndWait(
  ctx: Context,
  verb: string,
  params: Record<string, unknown>,
  targets: SubmitCommand['targets'],
  opts: SubmitOptions,
): Promise<number> {
  const api = await ctx.client();
  const submitted = await api.submitCommand({
    verb,
    params,
    targets,
    ...(opts.priority ? { priority: opts.priority } : {}),
    ...(opts.timeout ? { timeoutSeconds: opts.timeout } : {}),
    ...(opts.ttl ? { ttlSeconds: opts.ttl } : {}),
    ...(opts.maxConcurrency !== undefined ? { maxConcurrency: opts.maxConcurrency } : {}),
    ...(opts.maxErrors !== undefined ? { maxErrors: opts.maxErrors } : {}),
    ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
  });
  if (opts.wait === false) {
    await ctx.print(submitted, () => `${submitted.id}\n`);
    return EXIT_OK;
  }
  const listed = Array.isArray(targets) ? targets : [];
  const format = (await ctx.profile()).output.value;
  const tty = (ctx.stderrStream as { isTTY?: boolean }).isTTY === true;
  // One agent named: its output is printed as it comes, while the command runs, as ssh would, and no progress line mixes into it.
  const live = format === 'table' && listed.length === 1 ? await followSingleOutput(ctx, api, submitted.id) : undefined;
  // Plain progress lines only where a table follows: the outputs of named agents stay as the programs wrote them.
  const progress = new ProgressReporter(ctx.err, tty && !live, format === 'table' && !Array.isArray(targets));
  // The command is read again when the live stream says one of its executions changed (and at
  // least every LIVE_POLL_MS); without a stream, on the poll timer as before.
  const changes = ctx.sleep ? undefined : await followCommand(api.baseUrl, () => api.streamAuth(), submitted.id);
  let done: Command;
  try {
    done = await waitForCommand((id) => api.getCommand(id), submitted.id, {
      timeoutMs: waitBudgetMs(submitted),
      onPoll: (c) => progress.update(c),
      ...(changes ? { sleep: (ms: number) => changes.next(Math.max(ms, LIVE_POLL_MS)) } : ctx.sleep ? { sleep: ctx.sleep } : {}),
    });
  } catch (err) {
    live?.stop();
    throw err;
  } finally {
    changes?.close();
    progress.finish();
  }
  const executions = await allExecutions(api, done.id);
  if (format !== 'table') {
    await ctx.print({ command: done, executions }, () => '');
  } else if (live) {
    await live.finished(executions[0]);
  } else if (Array.isArray(targets)) {
    await printOutputs(ctx, api, done.id, executions);
  } else {
    ctx.out.write(formatResults(executions, undefined));
  }
  return exitCodeFor(executions, listed);
}

/**
 * How long to wait before giving up: an offline agent may wait its ttl, and with a concurrency
 * limit the executions run in waves of that many, each up to the timeout.
 */
export function waitBudgetMs(c: Command): number {
  const targets = c.summary?.targets ?? 1;
  const waves = c.maxConcurrency > 0 ? Math.ceil(targets / c.maxConcurrency) : 1;
  return (c.ttlSeconds + c.timeoutSeconds * waves) * 1000 + WAIT_MARGIN_MS;
}

export async function allExecutions(api: Pick<ApiClient, 'executions'>, id: string): Promise<Execution[]> {
  const all: Execution[] = [];
  for await (const page of api.executions(id)) all.push(...page);
  return all;
}

/**
 * Follows the only execution's stdout and stderr while it runs (polling its output ranges), so a
 * long program's output appears as it is written. `finished` waits for both to be read to the
 * end, then says why it failed, as printOutputs does.
 */
async function followSingleOutput(ctx: Context, api: ApiClient, commandId: string) {
  let stopped = false;
  const first = (await api.listExecutions(commandId)).executions[0];
  if (!first) return undefined;
  let written = 0;
  const counted = (to: Context['out']) => ({ write: (t: string) => ((written += t.length), to.write(t)) });
  const follow = (stream: 'stdout' | 'stderr') =>
    copyOutput(api, commandId, first.id, stream, counted(stream === 'stdout' ? ctx.out : ctx.err), {
      follow: true,
      stopped: () => stopped,
      ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
      // A gateway that cannot serve the ranges (yet) is not a failed run: the inline output below stands in.
    }).catch(() => ({ truncated: false, bytes: 0 }));
  const copies = Promise.all([follow('stdout'), follow('stderr')]);
  return {
    stop: () => (stopped = true),
    finished: async (e: Execution | undefined) => {
      const [out, err] = await copies;
      if (!e) return;
      // Nothing came as chunks (an agent that only reported a final result): its inline output is all there is.
      if (written === 0) {
        if (e.stdout) ctx.out.write(e.stdout);
        if (e.stderr) ctx.err.write(e.stderr);
      }
      if (out.truncated || err.truncated) ctx.err.write('fleetplane: output was truncated at the per-execution cap\n');
      const note = failureNote(e);
      if (note) ctx.err.write(note);
    },
  };
}

/** Each execution's whole output: stdout to stdout, stderr to stderr, lines prefixed `[agent] ` when there are several. */
async function printOutputs(ctx: Context, api: ApiClient, commandId: string, executions: Execution[]): Promise<void> {
  const several = executions.length > 1;
  for (const e of executions) {
    const prefix = several ? `[${e.agentId}] ` : '';
    const copy = async (stream: 'stdout' | 'stderr') => {
      const to = stream === 'stdout' ? ctx.out : ctx.err;
      if ((stream === 'stdout' ? e.stdoutBytes : e.stderrBytes) > 0) {
        await copyOutput(api, commandId, e.id, stream, to, { prefix, ...(ctx.sleep ? { sleep: ctx.sleep } : {}) });
      } else if (e[stream]) {
        // Nothing stored as chunks (an agent that only reported a final result): its inline output is all there is.
        to.write(prefixLines(e[stream], prefix));
      }
    };
    await copy('stdout');
    await copy('stderr');
    if (e.truncated) ctx.err.write(`${prefix}fleetplane: output was truncated at the per-execution cap\n`);
    const note = failureNote(e);
    if (note) ctx.err.write(`${prefix}${note}`);
  }
}
