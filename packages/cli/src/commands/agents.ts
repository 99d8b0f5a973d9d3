import type { Context } from '../context.js';
import { formatAgent, formatAgents } from '../output/format.js';
import { json } from '../output/table.js';

/** Options as commander parses them for each agents subcommand. */
export interface ListAgentsOptions {
  site?: string;
  connected?: boolean;
  json?: boolean;
}
export interface JsonOption {
  json?: boolean;
}
export interface EnrollAgentOptions {
  site?: string;
  label?: Record<string, string>;
  json?: boolean;
}

export async function listAgents(ctx: Context, opts: ListAgentsOptions): Promise<void> {
  const agents = await (
    await ctx.client()
  ).listAgents({
    ...(opts.site ? { site: opts.site } : {}),
    ...(opts.connected ? { connected: true } : {}),
  });
  ctx.out.write(opts.json ? json(agents) : formatAgents(agents));
}

export async function getAgent(ctx: Context, id: string, opts: JsonOption): Promise<void> {
  const agent = await (await ctx.client()).getAgent(id);
  ctx.out.write(opts.json ? json(agent) : formatAgent(agent));
}

/** The token goes to stdout alone (so `TOKEN=$(fleetplane agents enroll x)` works); the warning to stderr. */
export async function enrollAgent(ctx: Context, id: string, opts: EnrollAgentOptions): Promise<void> {
  const enrolled = await (
    await ctx.client()
  ).enrollAgent({
    id,
    ...(opts.site ? { site: opts.site } : {}),
    ...(opts.label && Object.keys(opts.label).length ? { labels: opts.label } : {}),
  });
  ctx.out.write(opts.json ? json(enrolled) : `${enrolled.token}\n`);
  ctx.err.write(`enrolled agent ${enrolled.agent.id}: its token is shown only once; give it to the agent as AGENT_TOKEN\n`);
}
