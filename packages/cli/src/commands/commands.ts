import type { Context } from '../context.js';
import { formatCommand, formatCommands } from '../output/format.js';

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
