import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';

/** The context used when none is chosen; its login lives in the pre-contexts credentials file. */
export const DEFAULT_CONTEXT = 'default';

/** The project file, searched for from the working directory upwards (like .npmrc or .editorconfig). */
export const PROJECT_FILE = '.fleetplanerc';

export interface PathEnv {
  FLEETPLANE_CONFIG?: string | undefined;
  XDG_CONFIG_HOME?: string | undefined;
}

/** `$XDG_CONFIG_HOME/fleetplane/config.json`, else `~/.config/fleetplane/config.json`: what `config set` writes. */
export function userConfigPath(env: PathEnv, home = homedir()): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'fleetplane', 'config.json');
}

/** The nearest `.fleetplanerc` in `cwd` or a directory above it. */
export function findProjectConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Where the default context's login is stored: `$FLEETPLANE_CONFIG`, else
 * `~/.config/fleetplane/credentials.json` — unchanged since before contexts (and not moved by
 * XDG_CONFIG_HOME), so an existing login keeps working.
 */
export function credentialsPath(env: PathEnv, home = homedir()): string {
  return env.FLEETPLANE_CONFIG || join(home, '.config', 'fleetplane', 'credentials.json');
}

/** Each other context's login sits beside the default one: credentials.json → credentials.prod.json. */
export function credentialsPathFor(context: string, env: PathEnv, home = homedir()): string {
  const base = credentialsPath(env, home);
  if (context === DEFAULT_CONTEXT) return base;
  const ext = extname(base);
  return ext ? `${base.slice(0, -ext.length)}.${context}${ext}` : `${base}.${context}`;
}
