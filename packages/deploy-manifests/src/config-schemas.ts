import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { REPO_ROOT } from './paths.js';

/** Variables the OpenTelemetry SDK reads itself; no service schema lists them. */
export const SDK_VARIABLES = new Set(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME']);

/**
 * A service's zod config schema, from its build (apps/<service>/dist/config.js): the one
 * object schema the module exports. Read by path, since packages never import apps.
 */
export async function configSchemaOf(service: string): Promise<z.ZodObject> {
  const mod = (await import(pathToFileURL(join(REPO_ROOT, 'apps', service, 'dist', 'config.js')).href)) as Record<string, unknown>;
  const schemas = Object.values(mod).filter((v): v is z.ZodObject => v instanceof z.ZodObject);
  if (schemas.length !== 1) throw new Error(`${service}/src/config.ts should export exactly one zod object schema, found ${schemas.length}`);
  return schemas[0]!;
}

/**
 * What is wrong with an environment for a schema: variables the service never reads
 * (a typo is otherwise silently ignored), and every issue the schema itself reports
 * (missing required variables, invalid values), each naming its variable.
 */
export function envProblems(schema: z.ZodObject, env: Record<string, string>): string[] {
  const known = new Set(Object.keys(schema.shape));
  const unknown = Object.keys(env)
    .filter((k) => !known.has(k) && !SDK_VARIABLES.has(k))
    .map((k) => `${k}: not a variable this service reads`);
  const parsed = schema.safeParse(env);
  return [...unknown, ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`))];
}

/** The `ENV` the runtime image sets (infra/docker/Dockerfile's last stage), with ${SERVICE} filled in. */
export function imageEnv(service: string): Record<string, string> {
  const dockerfile = readFileSync(join(REPO_ROOT, 'infra/docker/Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const line of runtime.matchAll(/^ENV (.+)$/gm)) {
    for (const [, k, v] of line[1]!.matchAll(/([A-Z_]+)=(\S+)/g)) env[k!] = v!.replace('${SERVICE}', service);
  }
  return env;
}
