import { Option, type Command as Program } from 'commander';
import { PRIORITIES } from '../api/schemas.js';
import { hasSelector, submitAndWait, targetsOf, type SubmitOptions } from '../commands/run.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { collectLabel, collectList, parseParamsJson, parseTargets, parseTargetLimit, parseTimeout, parseTtl } from '../options.js';
import { outputOptions } from './shared-options.js';

/** Which agents, and how fast: the options `run` and `exec` share. */
function submitOptions(cmd: Program): Program {
  return outputOptions(
    cmd
      .option('--site <site>', 'agents of this site')
      .option('--label <key=value>', 'agents with this label (repeatable; all must match)', collectLabel)
      .option('--agent <id>', 'this agent (repeatable or comma-separated)', collectList)
      .option('--capability <name>', 'agents that announced this capability (repeatable)', collectList)
      .option('--os <os>', 'agents of this OS, e.g. linux')
      .option('--connected', 'only agents connected now')
      .option('--max-concurrency <n|n%>', 'at most this many executions in flight (a count or a percentage of the targets)', parseTargetLimit(1))
      .option('--max-errors <n|n%>', 'once more fail, the rest are skipped and the command fails (a count or a percentage)', parseTargetLimit(0))
      .addOption(new Option('--priority <priority>', 'queue priority').choices(PRIORITIES))
      .option('--timeout <duration>', 'how long the program may run on the agent: 30, 30s, 10m, 1h (default: the service default)', parseTimeout)
      .option('--ttl <duration>', 'how long an execution waits for an offline agent before it expires: 10m, 1h, 2d (default 1h)', parseTtl)
      .option('--wait', 'wait for the results (the default)')
      .option('--no-wait', 'print the command id and return without waiting')
      .option('--idempotency-key <key>', 'submitting the same key again returns the first command'),
  );
}

/** `fleetplane run` (verb exec) and `fleetplane exec VERB` (any verb). */
export function registerRun(program: Program, ctx: Context, setExit: (code: number) => void): void {
  submitOptions(
    program
      .command('run')
      .description('run a program on agents (argv exactly as given, no shell) and print its output, or a table per agent for a selector')
      .usage('[options] AGENT[,AGENT...] -- ARGV...  |  [selector options] -- ARGV...')
      // Everything after the first operand belongs to the remote argv, options included (`-- ls -la`).
      .passThroughOptions()
      .argument('<args...>', 'the agents (unless selected by options), then -- and the program with its arguments'),
  ).action(async (args: string[], opts: SubmitOptions) => {
    const { agents, argv } = splitRunArgs(args, opts);
    setExit(await submitAndWait(ctx, 'exec', { argv }, targetsOf(agents, opts), opts));
  });

  submitOptions(
    program
      .command('exec')
      .description('submit any verb (docker.ps, system.info, ...) with JSON parameters')
      .argument('<verb>', 'the verb, e.g. docker.ps')
      .argument('[agents...]', 'agent ids (or comma-separated lists); or select them by options')
      .requiredOption('--params <json>', 'the verb parameters as a JSON object', parseParamsJson),
  ).action(async (verb: string, agentList: string[], opts: SubmitOptions & { params: Record<string, unknown> }) => {
    setExit(await submitAndWait(ctx, verb, opts.params, targetsOf(agentList.length ? parseTargets(agentList) : [], opts), opts));
  });
}

/**
 * `run`'s operands: commander consumes a `--` that comes before the first operand and keeps one
 * that follows it. With selector options (or --agent) every operand is the argv; otherwise the
 * first names the agents and the argv follows (after `--`).
 */
export function splitRunArgs(args: string[], opts: SubmitOptions): { agents: string[]; argv: string[] } {
  const selected = hasSelector(opts) || (opts.agent?.length ?? 0) > 0;
  const first = selected ? undefined : args[0];
  const rest = selected ? args : args.slice(1);
  const argv = rest[0] === '--' ? rest.slice(1) : rest;
  if (argv.length === 0) throw new UsageError('run: give the program to run after --, e.g. fleetplane run agent-1 -- uname -a');
  return { agents: first === undefined ? [] : parseTargets([first]), argv };
}
