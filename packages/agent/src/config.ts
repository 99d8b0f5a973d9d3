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

export const agentConfigSchema = z
  .object({
    HUB_URL: z.url({ message: 'must be a URL' }).refine((u) => /^wss?:\/\//.test(u), { message: 'must start with ws:// or wss://' }),
    /** Required with AGENT_TOKEN; when enrolling, the id to ask for (else the hub gives one). */
    AGENT_ID: agentIdSchema.optional(),
    /** A credential an admin minted (POST /api/v1/agents). Without it the agent uses its credential file, or enrols. */
    AGENT_TOKEN: z.string().min(16, 'must be the token from enrollment (at least 16 characters)').max(256).optional(),
    /** An enrollment token (POST /api/v1/enrollment-tokens): used once, when no credential is stored yet. */
    FLEETPLANE_ENROLLMENT_TOKEN: z.string().min(1).max(256).optional(),
    /** Where the credential from enrolling (credential.json, mode 0600) and the execution journal (executions/) are kept. */
    AGENT_STATE_DIR: z.string().min(1).default('/var/lib/fleetplane-agent'),
    /** Executions run at once; the rest wait on the agent in priority order. */
    AGENT_MAX_CONCURRENT_EXECUTIONS: z.coerce.number().int().min(1).max(1_000).default(4),
    /** Executions waiting on the agent at most; one more is REJECTED. */
    AGENT_MAX_QUEUED_EXECUTIONS: z.coerce.number().int().min(0).max(100_000).default(1_000),
    /** OUTPUT kept while the hub connection is down, sent after the next HELLO_ACK (base64 bytes; 0 = none kept). */
    AGENT_OUTPUT_BACKLOG_BYTES: z.coerce.number().int().min(0).max(1_073_741_824).default(16_777_216),
    /** How long an acknowledged execution stays in the journal (so a late repeated COMMAND is still recognised). */
    AGENT_EXECUTION_RETENTION_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(24),
    AGENT_SITE: z.string().max(128).default(''),
    AGENT_LABELS: labelsSchema,
  })
  .superRefine((c, ctx) => {
    if (c.AGENT_TOKEN && !c.AGENT_ID) ctx.addIssue({ code: 'custom', path: ['AGENT_ID'], message: 'is required with AGENT_TOKEN' });
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
