import { z } from 'zod';
import { serviceEnv, shutdownDelayMs } from '@fleetplane/service-kit';
import { configSchemaOf, envProblems, imageEnv } from './config-schemas.js';
import type { ServiceSpec } from './services.js';
import type { ResolvedConfig } from './workload.js';

/** The environment a pod of the service sees: the image's ENV, its ConfigMap, its Secrets (their example values). */
export const podEnv = (spec: ServiceSpec, config: Record<string, string> = spec.config): Record<string, string> => ({
  ...imageEnv(spec.name),
  ...config,
  ...Object.fromEntries(Object.entries(spec.secrets).map(([k, s]) => [k, s.example])),
});

/**
 * Reads the service's config schema for what the manifests need from it, and refuses to generate
 * an environment the service would refuse at start-up.
 */
export async function resolveConfig(spec: ServiceSpec): Promise<ResolvedConfig> {
  const schema = await configSchemaOf(spec.name);
  const env = podEnv(spec);
  const problems = envProblems(schema, env);
  if (problems.length) throw new Error(`${spec.name}: the generated environment is invalid:\n  ${problems.join('\n  ')}`);
  const lifecycle = z.object(serviceEnv).parse(schema.parse(env));
  return {
    leftAtDefault: Object.keys(schema.shape)
      .filter((k) => !(k in env))
      .sort(),
    shutdownDelayMs: shutdownDelayMs(lifecycle),
    shutdownTimeoutMs: lifecycle.SHUTDOWN_TIMEOUT_MS,
  };
}
