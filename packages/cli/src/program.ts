import { Command as Program, CommanderError, Option } from 'commander';
import { ApiError } from './api/api-error.js';
import { AUDIT_EXPORT_FORMATS, AUDIT_OUTCOMES, PRIORITIES } from './api/schemas.js';
import { CredentialStore, credentialsPath } from './auth/credentials.js';
import { authenticatedClient, type CliEnv } from './auth/session.js';
import type { TtyInput } from './auth/password.js';
import type { FetchFn } from './api/client.js';
import { enrollAgent, getAgent, listAgents, type EnrollAgentOptions, type JsonOption, type ListAgentsOptions } from './commands/agents.js';
import { exportAudit, listAudit, type ExportAuditOptions, type ListAuditOptions } from './commands/audit.js';
import { getCommand, listCommands, type ListCommandsOptions } from './commands/commands.js';
import { login, logout, type LoginOptions } from './commands/login.js';
import type { Writer } from './commands/results.js';
import { submitAndWait, type SubmitOptions } from './commands/run.js';
import type { Context } from './context.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { collectLabel, parseLimit, parseParamsJson, parseTargets, parseTimeout } from './options.js';

export interface CliDeps {
  env: CliEnv;
  stdout: Writer;
  stderr: Writer & NodeJS.WritableStream;
  stdin: TtyInput;
  home?: string;
  fetch?: FetchFn;
  sleep?: (ms: number) => Promise<void>;
}

const jsonOption = () => new Option('--json', 'machine-readable JSON output');

function submitOptions(cmd: Program): Program {
  return cmd
    .addOption(new Option('--priority <priority>', 'queue priority').choices(PRIORITIES))
    .option('--timeout <seconds>', 'the command timeout on the agent (default: the service default)', parseTimeout)
    .option('--no-wait', 'print the command id and return without waiting')
    .option('--idempotency-key <key>', 'submitting the same key again returns the first command')
    .addOption(jsonOption());
}

/** The filters of `audit list` and `audit export`; the gateway validates the values (a 400 names the option's field). */
function auditFilterOptions(cmd: Program): Program {
  return cmd
    .option('--actor <id>', 'a user id or API key id')
    .option('--action <action>', 'e.g. command.submit')
    .option('--resource-type <type>', 'command, api_key, user, agent or auth (the action before the dot)')
    .option('--target <id>', 'the resource id the action was about')
    .addOption(new Option('--outcome <outcome>', 'only this outcome').choices(AUDIT_OUTCOMES))
    .option('--from <time>', 'entries at or after this ISO 8601 time, e.g. 2026-12-01T00:00:00Z')
    .option('--to <time>', 'entries before this ISO 8601 time')
    .option('--trace-id <id>', 'the trace id of the request');
}

/** The program: every command's parsing and its handler, with `deps` for all I/O. */
export function buildProgram(ctx: Context, setExit: (code: number) => void): Program {
  const program = new Program('fleetplane')
    .description('Operate a fleetplane control plane: agents and commands, through the gateway REST API')
    .enablePositionalOptions()
    .showSuggestionAfterError(true);

  program
    .command('login')
    .description('log in with email and password; stores the tokens (mode 0600)')
    .option('--url <url>', 'gateway URL (default: $FLEETPLANE_URL, the stored one, or http://127.0.0.1:4000)')
    .option('--email <email>', 'account email (prompted for when omitted)')
    .option('--password-stdin', 'read the password from stdin instead of prompting (never pass it as an argument)')
    .action((opts: LoginOptions) => login(ctx, opts));

  program
    .command('logout')
    .description('revoke the stored session at the gateway and delete the credentials file')
    .action(() => logout(ctx));

  const agents = program.command('agents').description('list, show and enroll agents');
  agents
    .command('list')
    .description('list agents')
    .option('--site <site>', 'only agents of this site')
    .option('--connected', 'only agents connected now')
    .addOption(jsonOption())
    .action((opts: ListAgentsOptions) => listAgents(ctx, opts));
  agents
    .command('get')
    .description('show one agent')
    .argument('<id>', 'agent id')
    .addOption(jsonOption())
    .action((id: string, opts: JsonOption) => getAgent(ctx, id, opts));
  agents
    .command('enroll')
    .description('enroll an agent and print its token (shown only once)')
    .argument('<id>', 'agent id')
    .option('--site <site>', 'site of the agent')
    .option('--label <key=value>', 'a label (repeatable)', collectLabel)
    .addOption(jsonOption())
    .action((id: string, opts: EnrollAgentOptions) => enrollAgent(ctx, id, opts));

  const commands = program.command('commands').description('show submitted commands');
  commands
    .command('get')
    .description('show one command with its executions and their output')
    .argument('<id>', 'command id')
    .addOption(jsonOption())
    .action((id: string, opts: JsonOption) => getCommand(ctx, id, opts));
  commands
    .command('list')
    .description('list recent commands, newest first')
    .option('--agent <id>', 'only commands targeting this agent')
    .option('--limit <n>', 'at most this many (1-500, default 50)', parseLimit)
    .addOption(jsonOption())
    .action((opts: ListCommandsOptions) => listCommands(ctx, opts));

  const audit = program.command('audit').description('read the audit log (admin)');
  auditFilterOptions(audit.command('list').description('list audit entries, newest first'))
    .option('--limit <n>', 'at most this many (1-500, default 50)', parseLimit)
    .option('--all', 'every matching entry, page after page')
    .addOption(jsonOption())
    .action((opts: ListAuditOptions) => listAudit(ctx, opts));
  auditFilterOptions(audit.command('export').description('write every matching entry to stdout as NDJSON or CSV, streamed (> file)'))
    .addOption(
      new Option('--format <format>', 'ndjson: one JSON object per line; csv: RFC 4180 with a header').choices(AUDIT_EXPORT_FORMATS).makeOptionMandatory(),
    )
    .action((opts: ExportAuditOptions) => exportAudit(ctx, opts));

  submitOptions(
    program
      .command('run')
      .description('run a program on agents (argv exactly as given, no shell) and print its output')
      .usage('[options] AGENT[,AGENT...] -- ARGV...')
      // Everything after the agents belongs to the remote argv, options included (`-- ls -la`).
      .passThroughOptions()
      .argument('<agents>', 'agent id, or several separated by commas')
      .argument('<argv...>', 'the program and its arguments, after --'),
  ).action(async (agentList: string, argv: string[], opts: SubmitOptions) => {
    const targets = parseTargets([agentList]);
    setExit(await submitAndWait(ctx, 'exec', { argv: stripSeparator(argv) }, targets, opts));
  });

  submitOptions(
    program
      .command('exec')
      .description('submit any verb (docker.ps, system.info, ...) with JSON parameters')
      .argument('<verb>', 'the verb, e.g. docker.ps')
      .argument('<agents...>', 'agent ids (or comma-separated lists)')
      .requiredOption('--params <json>', 'the verb parameters as a JSON object', parseParamsJson),
  ).action(async (verb: string, agentList: string[], opts: SubmitOptions & { params: Record<string, unknown> }) => {
    setExit(await submitAndWait(ctx, verb, opts.params, parseTargets(agentList), opts));
  });

  return program;
}

/** commander keeps a `--` that follows the first operand under passThroughOptions; it is not part of the argv. */
function stripSeparator(argv: string[]): string[] {
  const rest = argv[0] === '--' ? argv.slice(1) : argv;
  if (rest.length === 0) throw new UsageError('run: give the program to run after --, e.g. fleetplane run agent-1 -- uname -a');
  return rest;
}

/** Runs the CLI on `argv` (without node and the script) and returns the process exit code. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const store = new CredentialStore(credentialsPath(deps.env, deps.home));
  const ctx: Context = {
    env: deps.env,
    out: deps.stdout,
    err: deps.stderr,
    stderrStream: deps.stderr,
    stdin: deps.stdin,
    store,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    client: () => authenticatedClient(deps.env, store, deps.fetch),
  };
  let exitCode = EXIT_OK;
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  for (const cmd of [program, ...allSubcommands(program)]) {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => void deps.stdout.write(s),
      writeErr: (s) => void deps.stderr.write(s),
      outputError: (s, write) => write(`fleetplane: ${s.replace(/^error: /, '')}`),
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, deps.stderr);
  }
}

function allSubcommands(cmd: Program): Program[] {
  return cmd.commands.flatMap((c) => [c, ...allSubcommands(c)]);
}

/** One line on stderr; the exit code says whose fault it was (2: the command line, 1: the rest). */
export function reportError(err: unknown, stderr: Writer): number {
  if (err instanceof CommanderError) {
    // Help and --version are exits with 0; commander has already printed the message.
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
    // A bare `fleetplane agents` prints the group's help to stderr: still a usage error.
    return EXIT_USAGE;
  }
  if (err instanceof UsageError) {
    stderr.write(`fleetplane: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof ApiError || err instanceof CliError) {
    stderr.write(`fleetplane: ${err.message}\n`);
    return EXIT_FAILURE;
  }
  stderr.write(`fleetplane: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT_FAILURE;
}
