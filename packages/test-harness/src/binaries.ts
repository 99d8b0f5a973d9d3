import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const INSTALL_HINT = 'infra/local/bootstrap.sh installs it';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Resolves a server binary (nats-server, redis-server) from PATH. */
export function resolveBinary(name: string): string {
  const found = findOnPath(name);
  if (!found) throw new Error(`${name} not found on PATH; ${INSTALL_HINT}`);
  return found;
}

function highestDebianPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = readdirSync(root);
  } catch {
    return undefined;
  }
  const sorted = versions.filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of sorted) {
    const dir = join(root, v, 'bin');
    if (isExecutable(join(dir, 'postgres'))) return dir;
  }
  return undefined;
}

/**
 * Resolves a PostgreSQL tool (postgres, initdb, psql). FLEETPLANE_PG_BIN wins so a
 * machine with several versions uses the one bootstrap.sh chose; Debian keeps
 * the server outside PATH, hence the /usr/lib/postgresql fallback.
 */
export function resolvePgBinary(name: 'postgres' | 'initdb' | 'psql'): string {
  const envDir = process.env.FLEETPLANE_PG_BIN;
  if (envDir && isExecutable(join(envDir, name))) return join(envDir, name);
  const onPath = findOnPath(name);
  if (onPath) return onPath;
  const debian = highestDebianPgBin();
  if (debian && isExecutable(join(debian, name))) return join(debian, name);
  throw new Error(`PostgreSQL's ${name} not found (looked in FLEETPLANE_PG_BIN, PATH and /usr/lib/postgresql/*/bin); ${INSTALL_HINT}`);
}
