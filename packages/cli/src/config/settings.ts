import { DEFAULT_CONTEXT } from './paths.js';
import type { ConfigFile, OutputFormat } from './config-file.js';

/** Where a setting's value came from, as `config list --show-origin` prints it. */
export type Origin =
  { kind: 'flag'; name: string } | { kind: 'env'; name: string } | { kind: 'file'; path: string } | { kind: 'login'; path: string } | { kind: 'default' };

export interface Setting<T> {
  value: T;
  origin: Origin;
}

export function describeOrigin(o: Origin): string {
  switch (o.kind) {
    case 'flag':
      return `flag:${o.name}`;
    case 'env':
      return `env:${o.name}`;
    case 'file':
      return `file:${o.path}`;
    case 'login':
      return `login:${o.path}`;
    case 'default':
      return 'default';
  }
}

export interface SettingsEnv {
  FLEETPLANE_URL?: string | undefined;
  FLEETPLANE_CONTEXT?: string | undefined;
  FLEETPLANE_OUTPUT?: string | undefined;
}

/** The options that override every file and variable. */
export interface SettingFlags {
  context?: string | undefined;
  url?: string | undefined;
  output?: OutputFormat | undefined;
}

export interface LoadedFile {
  path: string;
  file: ConfigFile;
}

/** Every layer, strongest first: flags, then the environment, then the project file, then the user file. */
export interface Layers {
  flags: SettingFlags;
  env: SettingsEnv;
  project?: LoadedFile | undefined;
  user?: LoadedFile | undefined;
}

const files = (l: Layers): LoadedFile[] => [l.project, l.user].filter((f): f is LoadedFile => f !== undefined);

/** The first layer that has a value, with its origin; `fallback` when none has. */
function pick<T>(candidates: [T | undefined, Origin][], fallback: Setting<T>): Setting<T> {
  for (const [value, origin] of candidates) if (value !== undefined && value !== '') return { value, origin };
  return fallback;
}

export function resolveContext(l: Layers): Setting<string> {
  return pick(
    [
      [l.flags.context, { kind: 'flag', name: '--context' }],
      [l.env.FLEETPLANE_CONTEXT, { kind: 'env', name: 'FLEETPLANE_CONTEXT' }],
      ...files(l).map((f): [string | undefined, Origin] => [f.file.context, { kind: 'file', path: f.path }]),
    ],
    { value: DEFAULT_CONTEXT, origin: { kind: 'default' } },
  );
}

/** The output format (the value of FLEETPLANE_OUTPUT is checked by the caller). */
export function resolveOutput(l: Layers): Setting<string> {
  return pick(
    [
      [l.flags.output, { kind: 'flag', name: '--output' }],
      [l.env.FLEETPLANE_OUTPUT, { kind: 'env', name: 'FLEETPLANE_OUTPUT' }],
      ...files(l).map((f): [string | undefined, Origin] => [f.file.output, { kind: 'file', path: f.path }]),
    ],
    { value: 'table', origin: { kind: 'default' } },
  );
}

/** The context's file-configured URL (the project file's entry wins), without flags and environment. */
export function fileUrl(l: Layers, context: string): Setting<string> | undefined {
  for (const f of files(l)) {
    const url = f.file.contexts?.[context]?.url;
    if (url) return { value: url, origin: { kind: 'file', path: f.path } };
  }
  return undefined;
}

/**
 * The gateway URL: --url, FLEETPLANE_URL, the context's url in a file, the URL the context's stored
 * login was issued by, else `fallback`.
 */
export function resolveUrl(l: Layers, context: string, stored: Setting<string> | undefined, fallback: string): Setting<string> {
  return pick(
    [
      [l.flags.url, { kind: 'flag', name: '--url' }],
      [l.env.FLEETPLANE_URL, { kind: 'env', name: 'FLEETPLANE_URL' }],
      ...[fileUrl(l, context), stored].filter((s): s is Setting<string> => s !== undefined).map((s): [string, Origin] => [s.value, s.origin]),
    ],
    { value: fallback, origin: { kind: 'default' } },
  );
}

/** Context names the files define, in order, with the default first. */
export function contextNames(l: Layers, withLogins: string[]): string[] {
  const names = new Set<string>([DEFAULT_CONTEXT]);
  for (const f of files(l).reverse()) for (const name of Object.keys(f.file.contexts ?? {})) names.add(name);
  for (const name of withLogins) names.add(name);
  return [...names];
}
