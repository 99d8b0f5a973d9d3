import type { Context } from '../context.js';
import { formatCommand, formatCommands } from '../output/format.js';
import { json } from '../output/table.js';
import type { JsonOption } from './agents.js';

/** Options as commander parses them for `commands list`. */
export interface ListCommandsOptions {
  agent?: string;
  limit?: number;
  json?: boolean;
}

export async function getCommand(ctx: Context, id: string, opts: JsonOption): Promise<void> {
  const command = await (await ctx.client()).getCommand(id);
  ctx.out.write(opts.json ? json(command) : formatCommand(command));
}

export async function listCommands(ctx: Context, opts: ListCommandsOptions): Promise<void> {
  const commands = await (
    await ctx.client()
  ).listCommands({
    ...(opts.agent ? { agentId: opts.agent } : {}),
    ...(opts.limit ? { limit: opts.limit } : {}),
  });
  ctx.out.write(opts.json ? json(commands) : formatCommands(commands));
}
