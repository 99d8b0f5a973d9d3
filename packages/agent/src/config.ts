import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';

const labelsSchema = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const labels: Record<string, string> = {};
    for (const pair of raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      const key = eq > 0 ? pair.slice(0, eq).trim() : '';
      if (!key) {
        ctx.addIssue({ code: 'custom', message: `"${pair}" is not key=value (expected k=v,k=v)` });
        return z.NEVER;
      }
      labels[key] = pair.slice(eq + 1).trim();
    }
    return labels;
  });

export const agentConfigSchema = z.object({
  HUB_URL: z.url({ message: 'must be a URL' }).refine((u) => /^wss?:\/\//.test(u), { message: 'must start with ws:// or wss://' }),
  AGENT_ID: agentIdSchema,
  AGENT_TOKEN: z.string().min(16, 'must be the token from enrollment (at least 16 characters)').max(256),
  AGENT_SITE: z.string().max(128).default(''),
  AGENT_LABELS: labelsSchema,
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export type ConfigResult = { ok: true; config: AgentConfig } | { ok: false; message: string };

/** Validates the environment; on failure the message names every bad variable. */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const parsed = agentConfigSchema.safeParse(env);
  if (parsed.success) return { ok: true, config: parsed.data };
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
  return { ok: false, message: `invalid configuration:\n${lines.join('\n')}` };
}
