import type { ExecutionFilter } from '../api/requests.js';
import type { Execution, OutputStream } from '../api/schemas.js';
import type { Context } from '../context.js';
import { formatCommand, formatCommands } from '../output/format.js';
import { formatCancel, formatExecutions } from '../output/format-executions.js';
import { copyOutput } from './output-reader.js';

/** Options as commander parses them for `commands list`. */
export interface ListCommandsOptions {
  agent?: string;
  limit?: number;
}

export async function getCommand(ctx: Context, id: string): Promise<void> {
  const command = await (await ctx.client()).getCommand(id);
  await ctx.print(command, (width) => formatCommand(command, width));
}

export async function listCommands(ctx: Context, opts: ListCommandsOptions): Promise<void> {
  const commands = await (
    await ctx.client()
  ).listCommands({
    ...(opts.agent ? { agentId: opts.agent } : {}),
    ...(opts.limit ? { limit: opts.limit } : {}),
  });
  await ctx.print(commands, (width) => formatCommands(commands, width));
}

/** `commands executions ID [--state S] [--exit-code N]`: every page, by agent id. */
export async function listExecutions(ctx: Context, id: string, opts: { state?: ExecutionFilter['state']; exitCode?: number }): Promise<void> {
  const api = await ctx.client();
  const filter: ExecutionFilter = { ...(opts.state ? { state: opts.state } : {}), ...(opts.exitCode !== undefined ? { exitCode: opts.exitCode } : {}) };
  const executions: Execution[] = [];
  for await (const page of api.executions(id, filter)) executions.push(...page);
  await ctx.print(executions, (width) => formatExecutions(executions, width));
}

/** `commands cancel ID [--execution EID]`: queued executions end at once, running ones are told to stop. */
export async function cancelCommand(ctx: Context, id: string, opts: { execution?: string }): Promise<void> {
  const api = await ctx.client();
  if (opts.execution) {
    const { execution } = await api.cancelExecution(id, opts.execution);
    await ctx.print({ execution }, () => `${execution.id}: ${execution.state}${execution.state === 'CANCELLED' ? '' : ' (its agent is told to stop it)'}\n`);
    return;
  }
  const result = await api.cancelCommand(id);
  await ctx.print(result, () => formatCancel(result));
}

/** `commands retry ID`: a new command on the failed, timed-out and expired targets; prints its id. */
export async function retryCommand(ctx: Context, id: string): Promise<void> {
  const command = await (await ctx.client()).retryCommand(id);
  await ctx.print(command, () => `${command.id}\n`);
}

/** `commands output ID EID [--stream stderr] [--follow]`: the bytes as the program wrote them, to stdout. */
export async function showOutput(ctx: Context, id: string, executionId: string, opts: { stream?: OutputStream; follow?: boolean }): Promise<void> {
  const api = await ctx.client();
  const { truncated } = await copyOutput(api, id, executionId, opts.stream ?? 'stdout', ctx.out, {
    follow: opts.follow === true,
    ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
  });
  if (truncated) ctx.err.write('fleetplane: output was truncated at the per-execution cap\n');
}
