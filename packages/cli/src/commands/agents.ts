import type { Context } from '../context.js';
import { formatAgent } from '../output/format.js';

// `agents list` and `agents summary` are in agent-registry.ts, with the registry's filters.

/** Options as commander parses them for `agents enroll`. */
export interface EnrollAgentOptions {
  site?: string;
  label?: Record<string, string>;
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
