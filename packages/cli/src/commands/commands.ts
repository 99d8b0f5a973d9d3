import type { Context } from '../context.js';
import { formatCommand, formatCommands } from '../output/format.js';
import { json } from '../output/table.js';

export async function getCommand(ctx: Context, id: string, opts: { json?: boolean }): Promise<void> {
  const command = await (await ctx.client()).getCommand(id);
  ctx.out.write(opts.json ? json(command) : formatCommand(command));
}

export async function listCommands(ctx: Context, opts: { agent?: string; limit?: number; json?: boolean }): Promise<void> {
  const commands = await (await ctx.client()).listCommands({
    ...(opts.agent ? { agentId: opts.agent } : {}),
    ...(opts.limit ? { limit: opts.limit } : {}),
  });
  ctx.out.write(opts.json ? json(commands) : formatCommands(commands));
}
