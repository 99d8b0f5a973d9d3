import { z } from 'zod';

// Every verb has its own parameter schema; a command is validated against it
// before it is queued, and the agent turns it into an argv (never a shell string).
const argv = z.array(z.string().max(4096)).min(1).max(256);
const container = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be a container name or id');
const image = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_./:@-]{0,254}$/, 'must be an image reference');
const env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.string().max(4096));
const path = z.string().min(1).max(1024);
const composeTarget = { projectDir: path, file: path.optional() };

export const verbParamSchemas = {
  exec: z.strictObject({ argv, cwd: path.optional(), env: env.optional() }),
  'docker.ps': z.strictObject({ all: z.boolean().default(false) }),
  'docker.inspect': z.strictObject({ container }),
  'docker.logs': z.strictObject({ container, tail: z.number().int().positive().max(100_000).default(200) }),
  'docker.stats': z.strictObject({ container: container.optional() }),
  'docker.exec': z.strictObject({ container, argv }),
  'docker.run': z.strictObject({
    image,
    name: container.optional(),
    argv: argv.optional(),
    env: env.optional(),
    detach: z.boolean().default(true),
  }),
  'docker.stop': z.strictObject({ container }),
  'docker.rm': z.strictObject({ container, force: z.boolean().default(false) }),
  'docker.pull': z.strictObject({ image }),
  'docker.build': z.strictObject({ context: path, tag: image, file: path.optional() }),
  'compose.up': z.strictObject({ ...composeTarget, detach: z.boolean().default(true) }),
  'compose.down': z.strictObject(composeTarget),
  'compose.ps': z.strictObject(composeTarget),
  'compose.logs': z.strictObject({ ...composeTarget, tail: z.number().int().positive().max(100_000).default(200) }),
  'system.info': z.strictObject({}),
} as const;

export type Verb = keyof typeof verbParamSchemas;
export type VerbParams<V extends Verb> = z.infer<(typeof verbParamSchemas)[V]>;
export const VERBS = Object.keys(verbParamSchemas) as Verb[];

export const isVerb = (v: string): v is Verb => Object.hasOwn(verbParamSchemas, v);

export type ParamsCheck = { ok: true; params: Record<string, unknown> } | { ok: false; field: string; message: string };

/** Validates a verb's parameters; on failure names the offending field as `params.<path>`. */
export function validateVerbParams(verb: string, params: unknown): ParamsCheck {
  if (!isVerb(verb)) return { ok: false, field: 'verb', message: `unknown verb "${verb}"; one of ${VERBS.join(', ')}` };
  const parsed = verbParamSchemas[verb].safeParse(params);
  if (parsed.success) return { ok: true, params: parsed.data };
  const issue = parsed.error.issues[0];
  const field = ['params', ...(issue?.path ?? []).map(String)].join('.');
  return { ok: false, field, message: issue?.message ?? 'invalid' };
}
