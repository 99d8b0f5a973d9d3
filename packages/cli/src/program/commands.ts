import { Option, type Command as Program } from 'commander';
import { FILTER_STATES, OUTPUT_STREAMS, type OutputStream } from '../api/schemas.js';
import { cancelCommand, getCommand, listCommands, listExecutions, retryCommand, showOutput, type ListCommandsOptions } from '../commands/commands.js';
import type { Context } from '../context.js';
import { parseExitCode, parseLimit } from '../options.js';
import { outputOptions } from './shared-options.js';

/** `fleetplane commands get|list|executions|output|cancel|retry`. */
export function registerCommands(program: Program, ctx: Context): void {
  const commands = program.command('commands').description('show, follow, cancel and retry submitted commands');
  outputOptions(
    commands
      .command('get')
      .description('show one command: its settings and summary (counts per state, exit codes, first errors, non-responders)')
      .argument('<id>', 'command id'),
  ).action((id: string) => getCommand(ctx, id));
  outputOptions(commands.command('list').description('list recent commands, newest first'))
    .option('--agent <id>', 'only commands targeting this agent')
    .option('--limit <n>', 'at most this many (1-500, default 50)', parseLimit)
    .action((opts: ListCommandsOptions) => listCommands(ctx, opts));
  outputOptions(commands.command('executions').description("a command's executions, every page, by agent id").argument('<id>', 'command id'))
    .addOption(new Option('--state <state>', 'only executions in this state').choices(FILTER_STATES))
    .option('--exit-code <n>', 'only executions that exited with this code', parseExitCode)
    .action((id: string, opts: { state?: (typeof FILTER_STATES)[number]; exitCode?: number }) => listExecutions(ctx, id, opts));
  commands
    .command('output')
    .description("an execution's output as the program wrote it (the full stored output, not the summary)")
    .argument('<id>', 'command id')
    .argument('<execution>', 'execution id (see commands executions)')
    .addOption(new Option('--stream <stream>', 'which stream (default stdout)').choices(OUTPUT_STREAMS))
    .option('--follow', 'keep printing what the execution writes until it finished')
    .action((id: string, execution: string, opts: { stream?: OutputStream; follow?: boolean }) => showOutput(ctx, id, execution, opts));
  outputOptions(
    commands
      .command('cancel')
      .description('cancel a command (queued executions at once, running ones are killed by their agent)')
      .argument('<id>', 'command id'),
  )
    .option('--execution <id>', 'cancel only this execution')
    .action((id: string, opts: { execution?: string }) => cancelCommand(ctx, id, opts));
  outputOptions(
    commands.command('retry').description('re-run the failed, timed-out and expired targets as a new command; prints its id').argument('<id>', 'command id'),
  ).action((id: string) => retryCommand(ctx, id));
}
