import { execFileSync } from 'node:child_process';

export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

let cached: RunAs | null | undefined;

function lookup(user: string): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid, name: user };
  } catch {
    // user does not exist
  }
  return undefined;
}

/**
 * PostgreSQL refuses to run as root. When we are root (CI containers, dev VMs)
 * the server runs as `postgres`, or `nobody` when that user does not exist.
 * Returns null when no switch is needed.
 */
export function postgresRunAs(): RunAs | null {
  if (cached !== undefined) return cached;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    cached = null;
    return cached;
  }
  const user = lookup('postgres') ?? lookup('nobody');
  if (!user) throw new Error('running as root but neither a "postgres" nor a "nobody" user exists to run PostgreSQL');
  cached = user;
  return cached;
}
