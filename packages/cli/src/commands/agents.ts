import type { Context } from '../context.js';
import { formatAgent, formatAgents } from '../output/format.js';

/** Options as commander parses them for each agents subcommand. */
export interface ListAgentsOptions {
  site?: string;
  connected?: boolean;
}
export interface EnrollAgentOptions {
  site?: string;
  label?: Record<string, string>;
}

export async function listAgents(ctx: Context, opts: ListAgentsOptions): Promise<void> {
  const agents = await (
    await ctx.client()
  ).listAgents({
    ...(opts.site ? { site: opts.site } : {}),
    ...(opts.connected ? { connected: 'true' as const } : {}),
  });
  await ctx.print(agents, (width) => formatAgents(agents, width));
}

export async function getAgent(ctx: Context, id: string): Promise<void> {
  const agent = await (await ctx.client()).getAgent(id);
  await ctx.print(agent, () => formatAgent(agent));
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
  await ctx.print(enrolled, () => `${enrolled.token}\n`);
  ctx.err.write(`enrolled agent ${enrolled.agent.id}: its token is shown only once; give it to the agent as AGENT_TOKEN\n`);
}
