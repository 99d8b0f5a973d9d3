import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CliError } from '../errors.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Context names are file-name parts (credentials.<name>.json): letters, digits, - and _. */
export const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
export const contextNameSchema = z.string().regex(CONTEXT_NAME, 'letters, digits, - and _ (at most 63)');

/** http(s) URL, normalised the way login stores it: no trailing slash. */
export function normaliseUrl(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

const urlSchema = z.string().refine((s) => normaliseUrl(s) !== undefined, 'an http:// or https:// URL');

/**
 * `.fleetplanerc` and config.json: settings only. Strict, so a typo is an error rather than a
 * setting silently ignored, and a secret (an API key, a token) has no field to go into.
 */
export const configFileSchema = z
  .object({
    context: contextNameSchema.optional(),
    output: z.enum(OUTPUT_FORMATS).optional(),
    contexts: z.record(contextNameSchema, z.object({ url: urlSchema.optional() }).strict()).optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof configFileSchema>;

const SECRET_KEY = /key|token|password|secret/i;

/** The file's settings, or undefined when there is no file. */
export async function readConfigFile(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const secret = findSecretKey(json);
  if (secret) throw new CliError(`${path}: "${secret}" looks like a secret; config files hold no secrets (use FLEETPLANE_API_KEY or fleetplane login)`);
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${path}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function findSecretKey(value: unknown, at = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const path = at ? `${at}.${k}` : k;
    // Context names are user-chosen keys, not settings: only the settings inside them count.
    if (SECRET_KEY.test(k) && at !== 'contexts') return path;
    const inner = findSecretKey(v, path);
    if (inner) return inner;
  }
  return undefined;
}

/** Replaces the file atomically (written beside it, then renamed); a directory created for it gets 0700. */
export async function writeConfigFile(path: string, file: ConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(configFileSchema.parse(file), null, 2)}\n`, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`);
  }
}
