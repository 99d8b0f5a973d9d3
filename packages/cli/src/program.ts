import { homedir } from 'node:os';
import { Command as Program, CommanderError, Option } from 'commander';
import { ApiError } from './api/api-error.js';
import type { FetchFn } from './api/client.js';
import { AUDIT_EXPORT_FORMATS, AUDIT_OUTCOMES } from './api/schemas.js';
import type { TtyInput } from './auth/password.js';
import { authenticatedClient, type CliEnv } from './auth/session.js';
import { registerAgentAccess, registerEnrollmentTokens } from './commands/agent-access.js';
import { registerAgentRegistry } from './commands/agent-registry.js';
import { enrollAgent, getAgent, type EnrollAgentOptions } from './commands/agents.js';
import { exportAudit, listAudit, type ExportAuditOptions, type ListAuditOptions } from './commands/audit.js';
import { registerBackup } from './commands/backup-register.js';
import { login, logout, type LoginOptions } from './commands/login.js';
import type { Writer } from './commands/results.js';
import { showStatistics } from './commands/stats.js';
import { registerTelemetry } from './commands/telemetry.js';
import { registerAlerts } from './commands/alerts.js';
import { registerTiles } from './commands/tiles-register.js';
import { bashCompletion } from './completion/bash.js';
import { fishCompletion } from './completion/fish.js';
import { completionNodes } from './completion/model.js';
import { zshCompletion } from './completion/zsh.js';
import type { OutputFormat } from './config/config-file.js';
import { loadProfile, type Profile } from './config/profile.js';
import type { SettingFlags } from './config/settings.js';
import type { Context } from './context.js';
import { CliError, EXIT_CLI, EXIT_OK, UsageError } from './errors.js';
import { collectLabel, parseLimit } from './options.js';
import { render, tableWidth, type Terminal } from './output/render.js';
import { registerApiKeys } from './program/api-keys.js';
import { registerCommands } from './program/commands.js';
import { registerConfig } from './program/config.js';
import { registerRun } from './program/run.js';
import { outputOptions, passwordStdinOption } from './program/shared-options.js';
import { registerUsers } from './program/users.js';
import { cliVersion } from './version.js';

export interface CliDeps {
  env: CliEnv;
  stdout: Writer & Terminal;
  stderr: Writer & NodeJS.WritableStream;
  stdin: TtyInput;
  home?: string;
  cwd?: string;
  fetch?: FetchFn;
  sleep?: (ms: number) => Promise<void>;
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
    .option('--trace-id <id>', 'the trace id of the request')
    .option('--command-id <id>', "everything about one command: submit, cancels, retry, each execution's final state");
}

/** The program: every command's parsing and its handler. */
export function buildProgram(ctx: Context, setExit: (code: number) => void): Program {
  const program = new Program('fleetplane')
    .description('Operate a fleetplane control plane through the gateway REST API')
    .version(cliVersion(), '-v, --version', 'print the version')
    .option('--context <name>', 'the named context (gateway and login) to use; default: FLEETPLANE_CONTEXT, the config files, "default"')
    .option('--url <url>', 'the gateway URL; default: FLEETPLANE_URL, the context, its login, http://127.0.0.1:4000')
    .enablePositionalOptions()
    .showSuggestionAfterError(true);

  program
    .command('login')
    .description("log in with email and password; stores the tokens as the context's login (mode 0600)")
    .option('--url <url>', 'gateway URL (default: $FLEETPLANE_URL, the context, its last login, or http://127.0.0.1:4000)')
    .option('--email <email>', 'account email (prompted for when omitted)')
    .addOption(passwordStdinOption('the password'))
    .action((opts: LoginOptions) => login(ctx, opts));

  program
    .command('logout')
    .description("revoke the context's stored session at the gateway and delete its credentials file")
    .action(() => logout(ctx));

  const agents = program.command('agents').description('list, show and enroll agents');
  registerAgentRegistry(agents, ctx);
  registerAgentAccess(agents, ctx);
  registerEnrollmentTokens(program, ctx);
  outputOptions(agents.command('get').description('show one agent').argument('<id>', 'agent id')).action((id: string) => getAgent(ctx, id));
  outputOptions(agents.command('enroll').description('enroll an agent and print its token (shown only once)').argument('<id>', 'agent id'))
    .option('--site <site>', 'site of the agent')
    .option('--label <key=value>', 'a label (repeatable)', collectLabel)
    .action((id: string, opts: EnrollAgentOptions) => enrollAgent(ctx, id, opts));

  registerCommands(program, ctx);

  const audit = program.command('audit').description('read the audit log (admin)');
  outputOptions(auditFilterOptions(audit.command('list').description('list audit entries, newest first')))
    .option('--limit <n>', 'at most this many (1-500, default 50)', parseLimit)
    .option('--all', 'every matching entry, page after page')
    .action((opts: ListAuditOptions) => listAudit(ctx, opts));
  auditFilterOptions(audit.command('export').description('write every matching entry to stdout as NDJSON or CSV, streamed (> file)'))
    .addOption(
      new Option('--format <format>', 'ndjson: one JSON object per line; csv: RFC 4180 with a header').choices(AUDIT_EXPORT_FORMATS).makeOptionMandatory(),
    )
    .action((opts: ExportAuditOptions) => exportAudit(ctx, opts));

  registerUsers(program, ctx);
  registerApiKeys(program, ctx);

  outputOptions(program.command('stats').description('fleet statistics: agents, commands, executions per minute, alerts')).action(() => showStatistics(ctx));
  registerTiles(program, ctx, setExit);
  registerBackup(program, ctx, setExit);
  registerTelemetry(program, ctx);
  registerAlerts(program, ctx);

  registerRun(program, ctx, setExit);

  registerConfig(program, ctx);

  program
    .command('completion')
    .description('print a shell completion script: eval "$(fleetplane completion bash)"')
    .addArgument(program.createArgument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action((shell: 'bash' | 'zsh' | 'fish') => {
      const nodes = completionNodes(program);
      ctx.out.write(shell === 'bash' ? bashCompletion(nodes) : shell === 'zsh' ? zshCompletion(nodes) : fishCompletion(nodes));
    });

  // --context on every command too (`fleetplane agents list --context prod`), not only before it.
  for (const leaf of leaves(program)) {
    if (!leaf.options.some((o) => o.long === '--context')) leaf.option('--context <name>', 'the named context to use');
  }
  return program;
}

function leaves(cmd: Program): Program[] {
  return cmd.commands.flatMap((c) => (c.commands.length ? leaves(c) : [c]));
}

interface ParsedSettingFlags {
  context?: string;
  url?: string;
  output?: OutputFormat;
  json?: boolean;
  wide?: boolean;
}

/** Runs the CLI on `argv` (without node and the script) and returns the process exit code. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  let flags: SettingFlags = {};
  let wide = false;
  let profile: Promise<Profile> | undefined;
  const loaded = () =>
    (profile ??= loadProfile({
      flags,
      env: deps.env,
      home: deps.home ?? homedir(),
      cwd: deps.cwd ?? process.cwd(),
    }));
  const ctx: Context = {
    env: deps.env,
    out: deps.stdout,
    err: deps.stderr,
    stderrStream: deps.stderr,
    stdin: deps.stdin,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    profile: loaded,
    client: async () => authenticatedClient(await loaded(), deps.env.FLEETPLANE_API_KEY, deps.fetch),
    print: async (data, table) => {
      const text = render((await loaded()).output.value, data, table, tableWidth(deps.stdout, wide));
      if (text) deps.stdout.write(text);
    },
  };
  let exitCode = EXIT_OK;
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  // The settings flags are known only once commander parsed them, just before the action runs.
  program.hook('preAction', (_root, action) => {
    const o = action.optsWithGlobals<ParsedSettingFlags>();
    if (o.output && o.json && o.output !== 'json') throw new UsageError('--json and --output disagree: give one');
    flags = { context: o.context, url: o.url, output: o.output ?? (o.json ? 'json' : undefined) };
    wide = o.wide === true;
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

/**
 * One line on stderr and the CLI's own exit code, 255 (usage, HTTP, network, anything but the
 * remote program's own exit code); help and --version exit 0.
 */
export function reportError(err: unknown, stderr: Writer): number {
  if (err instanceof CommanderError) {
    // commander has already printed the message (a bare `fleetplane agents` prints the group's help to stderr).
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
    return EXIT_CLI;
  }
  if (err instanceof UsageError || err instanceof ApiError || err instanceof CliError) {
    stderr.write(`fleetplane: ${err.message}\n`);
    return EXIT_CLI;
  }
  stderr.write(`fleetplane: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT_CLI;
}
