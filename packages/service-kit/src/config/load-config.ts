import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the environment once into a typed, frozen object. Every problem
 * is reported at once, each naming its variable, so a bad deployment fails
 * at start-up with a message that says what to fix.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

// Fragments every service's schema is built from.
export const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);
export const url = (protocols: string[]) =>
  z.url({ message: `must be a URL (${protocols.join(', ')})` }).refine((u) => protocols.some((p) => u.startsWith(`${p}://`)), {
    message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
  });
/**
 * NATS_URL: one server URL or a comma-separated list of them (a cluster's seed servers; the client
 * learns the rest from the cluster and fails over between them). Each entry is checked like `url`.
 */
export const natsServers = (protocols: string[] = ['nats']) => {
  const one = url(protocols);
  return z
    .string()
    .min(1, 'must be a URL or a comma-separated list of URLs')
    .superRefine((value, ctx) => {
      if (value === '') return; // min(1) said it
      for (const entry of value.split(',')) {
        const checked = one.safeParse(entry.trim());
        if (!checked.success) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry.trim())}: ${checked.error.issues[0]?.message ?? 'invalid'}` });
      }
    });
};
/** The servers of a NATS_URL list, trimmed. */
export const splitServers = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
/**
 * JETSTREAM_REPLICAS: how many servers keep a copy of every stream a service creates (1 on a single
 * server; 3 on a 3-node cluster, so one node may fail or restart without losing or stopping a stream).
 */
export const jetstreamReplicas = z.coerce.number().int().min(1).max(5).default(1);
export const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port');

export const serviceEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 127.0.0.1 unless told otherwise; containers set 0.0.0.0. */
  HTTP_HOST: z.string().default('127.0.0.1'),
  /**
   * When set, /metrics is served on this port by a listener of its own (and no
   * longer on HTTP_PORT), so a service whose HTTP port is public keeps its
   * internals off it. Unset: /metrics is on HTTP_PORT.
   */
  METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  /** Where the metrics listener binds; default HTTP_HOST. */
  METRICS_HOST: z.string().min(1).optional(),
  /** How long the drain (in-flight work, NATS, spans) may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /**
   * How long a service reports not-ready after SIGTERM before it drains, so
   * load balancers and Kubernetes endpoints stop sending it work first.
   * Default: 5 s when NODE_ENV=production (containers), else 0 (tests, make up).
   */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(300_000).optional(),
};

/** The lifecycle settings every service's config carries (from serviceEnv plus its HTTP port). */
export type ServiceLifecycleConfig = z.infer<z.ZodObject<typeof serviceEnv>> & { HTTP_PORT: number };

export const shutdownDelayMs = (c: Pick<ServiceLifecycleConfig, 'NODE_ENV' | 'SHUTDOWN_DELAY_MS'>): number =>
  c.SHUTDOWN_DELAY_MS ?? (c.NODE_ENV === 'production' ? 5_000 : 0);
