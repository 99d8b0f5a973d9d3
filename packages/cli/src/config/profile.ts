import { readdir } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { CredentialStore } from '../auth/credentials.js';
import { UsageError } from '../errors.js';
import { CONTEXT_NAME, OUTPUT_FORMATS, readConfigFile, type OutputFormat } from './config-file.js';
import { credentialsPath, credentialsPathFor, DEFAULT_CONTEXT, findProjectConfig, userConfigPath, type PathEnv } from './paths.js';
import {
  contextNames,
  describeOrigin,
  resolveContext,
  resolveOutput,
  resolveUrl,
  type Layers,
  type Setting,
  type SettingFlags,
  type SettingsEnv,
} from './settings.js';

export const DEFAULT_URL = 'http://127.0.0.1:4000';

export type ProfileEnv = PathEnv & SettingsEnv;

/** The settings of this invocation, every layer read once: which context, its URL and login, the output format. */
export interface Profile {
  layers: Layers;
  userConfigPath: string;
  context: Setting<string>;
  output: Setting<OutputFormat>;
  url: Setting<string>;
  /** The context's stored login (mode 0600), whether or not there is one yet. */
  store: CredentialStore;
  /** Every context a file names or a login exists for, the default first. */
  contexts: string[];
  env: ProfileEnv;
  home: string;
}

export async function loadProfile(opts: { flags: SettingFlags; env: ProfileEnv; home: string; cwd: string }): Promise<Profile> {
  const userPath = userConfigPath(opts.env, opts.home);
  const projectPath = findProjectConfig(opts.cwd);
  const [user, project] = await Promise.all([readConfigFile(userPath), projectPath ? readConfigFile(projectPath) : undefined]);
  const layers: Layers = {
    flags: opts.flags,
    env: opts.env,
    ...(project && projectPath ? { project: { path: projectPath, file: project } } : {}),
    ...(user ? { user: { path: userPath, file: user } } : {}),
  };
  const context = resolveContext(layers);
  if (!CONTEXT_NAME.test(context.value)) throw new UsageError(`context "${context.value}": names are letters, digits, - and _`);
  const output = resolveOutput(layers);
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output.value)) {
    throw new UsageError(`output "${output.value}" (${describeOrigin(output.origin)}): use ${OUTPUT_FORMATS.join(', ')}`);
  }
  const store = new CredentialStore(credentialsPathFor(context.value, opts.env, opts.home));
  // A damaged credentials file is login's to replace; here it only cannot lend its URL.
  const stored = await store.load().catch(() => undefined);
  const url = resolveUrl(layers, context.value, stored ? { value: stored.url, origin: { kind: 'login', path: store.path } } : undefined, DEFAULT_URL);
  return {
    layers,
    userConfigPath: userPath,
    context,
    output: output as Setting<OutputFormat>,
    url,
    store,
    contexts: contextNames(layers, await contextsWithLogins(opts.env, opts.home)),
    env: opts.env,
    home: opts.home,
  };
}

/** The contexts whose credentials file exists (credentials.json → default, credentials.NAME.json → NAME). */
export async function contextsWithLogins(env: PathEnv, home: string): Promise<string[]> {
  const base = credentialsPath(env, home);
  const ext = extname(base);
  const stem = basename(base, ext);
  let names: string[];
  try {
    names = await readdir(dirname(base));
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const n of names) {
    if (n === basename(base)) found.push(DEFAULT_CONTEXT);
    else if (n.startsWith(`${stem}.`) && n.endsWith(ext)) {
      const name = n.slice(stem.length + 1, n.length - ext.length);
      if (CONTEXT_NAME.test(name)) found.push(name);
    }
  }
  return found;
}
