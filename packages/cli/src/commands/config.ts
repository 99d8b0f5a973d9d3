import { existsSync } from 'node:fs';
import { CONTEXT_NAME, normaliseUrl, OUTPUT_FORMATS, readConfigFile, writeConfigFile, type ConfigFile } from '../config/config-file.js';
import { credentialsPathFor } from '../config/paths.js';
import type { Profile } from '../config/profile.js';
import { describeOrigin, fileUrl, type Setting } from '../config/settings.js';
import type { Context } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { renderTable } from '../output/table.js';

export interface ShowOriginOption {
  showOrigin?: boolean;
}

const SECRET = /key|token|password|secret/i;
const CONTEXT_URL = /^contexts\.([^.]+)\.url$/;

/** Every key `config get|set|unset` knows: the three settings and each context's url. */
function checkKey(key: string): void {
  if (SECRET.test(key)) throw new UsageError(`${key}: secrets never go into config files; use FLEETPLANE_API_KEY or fleetplane login`);
  if (key === 'context' || key === 'url' || key === 'output') return;
  const m = CONTEXT_URL.exec(key);
  if (m && CONTEXT_NAME.test(m[1]!)) return;
  throw new UsageError(`unknown key ${key} (context, url, output, contexts.NAME.url)`);
}

/** The effective value of `key` and where it came from. */
function lookup(profile: Profile, key: string): Setting<string> | undefined {
  if (key === 'context') return profile.context;
  if (key === 'output') return profile.output;
  if (key === 'url') return profile.url;
  const name = CONTEXT_URL.exec(key)![1]!;
  return fileUrl(profile.layers, name);
}

const line = (key: string, s: Setting<string>, showOrigin?: boolean) => `${showOrigin ? `${describeOrigin(s.origin)}\t` : ''}${key}=${s.value}\n`;

export async function configList(ctx: Context, opts: ShowOriginOption): Promise<void> {
  const profile = await ctx.profile();
  let text = line('context', profile.context, opts.showOrigin) + line('url', profile.url, opts.showOrigin) + line('output', profile.output, opts.showOrigin);
  for (const name of profile.contexts) {
    const url = fileUrl(profile.layers, name);
    if (url) text += line(`contexts.${name}.url`, url, opts.showOrigin);
  }
  ctx.out.write(text);
}

export async function configGet(ctx: Context, key: string, opts: ShowOriginOption): Promise<void> {
  checkKey(key);
  const setting = lookup(await ctx.profile(), key);
  if (!setting) throw new CliError(`${key} is not set`);
  ctx.out.write(`${opts.showOrigin ? `${describeOrigin(setting.origin)}\t` : ''}${setting.value}\n`);
}

/** Writes the user file ($XDG_CONFIG_HOME/fleetplane/config.json); `url` sets the current context's. */
export async function configSet(ctx: Context, key: string, value: string): Promise<void> {
  checkKey(key);
  const profile = await ctx.profile();
  await editUserFile(profile, (file) => {
    if (key === 'context') {
      if (!CONTEXT_NAME.test(value)) throw new UsageError(`context "${value}": names are letters, digits, - and _`);
      file.context = value;
    } else if (key === 'output') {
      if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) throw new UsageError(`output: use ${OUTPUT_FORMATS.join(', ')}`);
      file.output = value as ConfigFile['output'];
    } else {
      const url = normaliseUrl(value);
      if (!url) throw new UsageError(`${key}: "${value}" is not an http:// or https:// URL`);
      const name = key === 'url' ? profile.context.value : CONTEXT_URL.exec(key)![1]!;
      file.contexts = { ...file.contexts, [name]: { ...file.contexts?.[name], url } };
    }
  });
  ctx.err.write(`${key} set in ${profile.userConfigPath}\n`);
}

export async function configUnset(ctx: Context, key: string): Promise<void> {
  checkKey(key);
  const profile = await ctx.profile();
  await editUserFile(profile, (file) => {
    if (key === 'context') delete file.context;
    else if (key === 'output') delete file.output;
    else {
      const name = key === 'url' ? profile.context.value : CONTEXT_URL.exec(key)![1]!;
      if (file.contexts?.[name]) delete file.contexts[name].url;
    }
  });
}

export async function useContext(ctx: Context, name: string): Promise<void> {
  const profile = await ctx.profile();
  if (!profile.contexts.includes(name)) {
    throw new CliError(`no context "${name}" (known: ${profile.contexts.join(', ')}): create it with fleetplane config set-context ${name} --url URL`);
  }
  await editUserFile(profile, (file) => {
    file.context = name;
  });
  ctx.err.write(`using context ${name}\n`);
  // The user file is the weakest layer: say so when a stronger one still picks another context.
  const { origin } = profile.context;
  if (origin.kind === 'env' || origin.kind === 'flag' || (origin.kind === 'file' && origin.path !== profile.userConfigPath)) {
    ctx.err.write(`note: ${describeOrigin(origin)} still chooses context ${profile.context.value} here\n`);
  }
}

export async function setContext(ctx: Context, name: string, opts: { url: string }): Promise<void> {
  if (!CONTEXT_NAME.test(name)) throw new UsageError(`context "${name}": names are letters, digits, - and _`);
  const url = normaliseUrl(opts.url);
  if (!url) throw new UsageError(`--url: "${opts.url}" is not an http:// or https:// URL`);
  const profile = await ctx.profile();
  await editUserFile(profile, (file) => {
    file.contexts = { ...file.contexts, [name]: { ...file.contexts?.[name], url } };
  });
  ctx.err.write(`context ${name} is ${url}; log in with fleetplane --context ${name} login\n`);
}

export interface ContextRow {
  name: string;
  current: boolean;
  url: string | null;
  loggedIn: boolean;
}

export async function getContexts(ctx: Context, opts: { names?: boolean } = {}): Promise<void> {
  const profile = await ctx.profile();
  if (opts.names) {
    ctx.out.write(profile.contexts.map((n) => `${n}\n`).join(''));
    return;
  }
  const rows: ContextRow[] = profile.contexts.map((name) => {
    const credentials = credentialsPathFor(name, profile.env, profile.home);
    return {
      name,
      current: name === profile.context.value,
      url: fileUrl(profile.layers, name)?.value ?? null,
      loggedIn: existsSync(credentials),
    };
  });
  await ctx.print(rows, (width) =>
    renderTable(
      ['CURRENT', 'NAME', 'URL', 'LOGIN'],
      // A blank, not the table's '-' for empty cells: only the current context is marked.
      rows.map((r) => [r.current ? '*' : ' ', r.name, r.url, r.loggedIn ? 'yes' : 'no']),
      width,
    ),
  );
}

async function editUserFile(profile: Profile, edit: (file: ConfigFile) => void): Promise<void> {
  const path = profile.userConfigPath;
  const file = (await readConfigFile(path)) ?? {};
  edit(file);
  await writeConfigFile(path, file);
}
