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
export const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port');

export const serviceEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 127.0.0.1 unless told otherwise; containers set 0.0.0.0. */
  HTTP_HOST: z.string().default('127.0.0.1'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
};
