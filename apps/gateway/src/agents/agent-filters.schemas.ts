import { z } from 'zod';

// The registry filters of GET /agents as query parameters. `label` and
// `capability` repeat (label=role=web&label=tier=1): a repeated parameter
// arrives as an array, a single one as a string, and both read as a list.
const MAX_REPEATS = 16;
const LABEL_PAIR = /^([A-Za-z0-9_./-]{1,63})=(.{0,256})$/s;
const oneOrMany = (describe: string) =>
  z
    .union([z.string(), z.array(z.string()).max(MAX_REPEATS, `at most ${MAX_REPEATS}`)])
    .describe(describe)
    .transform((v) => (Array.isArray(v) ? v : [v]));

const labelQuery = oneOrMany('name=value; repeat for more, all must match (e.g. label=role=web&label=tier=1)').transform((pairs, ctx) => {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const m = LABEL_PAIR.exec(pair);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'must be name=value, e.g. role=web' });
      return z.NEVER;
    }
    if (m[1]! in labels && labels[m[1]!] !== m[2]) {
      ctx.addIssue({ code: 'custom', message: `names ${m[1]} twice with different values` });
      return z.NEVER;
    }
    labels[m[1]!] = m[2]!;
  }
  return labels;
});

const capabilityQuery = oneOrMany('a capability the agent must have; repeat for more, all must be present').refine(
  (caps) => caps.every((c) => c.length >= 1 && c.length <= 64),
  'must be 1-64 characters',
);

const instant = z.iso.datetime({ offset: true });

/** The filter parameters of GET /agents (besides site and connected); all given must match. */
export const agentFilterQuery = {
  label: labelQuery.optional(),
  capability: capabilityQuery.optional(),
  os: z.string().min(1).max(128).optional().describe('exact, e.g. linux'),
  version: z.string().min(1).max(128).optional().describe("the agent's version, exact"),
  seenBefore: instant.optional().describe('last seen before this instant (ISO 8601); never-seen agents do not match'),
  seenAfter: instant.optional().describe('last seen at or after this instant (ISO 8601)'),
  includeTotal: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .optional()
    .describe('also count every matching agent (total); a query of its own, so only when asked'),
};

// Responses.

const counts = { total: z.number().int(), connected: z.number().int() };
export const agentSummary = z.object({
  total: z.number().int(),
  connected: z.number().int().describe('holding a session seen within three heartbeat intervals'),
  disconnected: z.number().int(),
  bySite: z.array(z.object({ site: z.string(), ...counts })).describe("largest first; '' for agents without a site"),
  byOs: z.array(z.object({ os: z.string(), ...counts })).describe("largest first; '' until the agent reports it"),
  byVersion: z.array(z.object({ version: z.string(), ...counts })).describe("largest first; '' until the agent reports it"),
  generatedAt: z.iso.datetime().describe('when connected was judged'),
});
export type AgentSummary = z.infer<typeof agentSummary>;
