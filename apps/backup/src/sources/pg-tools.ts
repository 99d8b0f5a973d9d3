import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * pg_dump / pg_restore must be at least the server's major version. FLEETPLANE_PG_BIN (as the test
 * harness and bootstrap.sh use) wins; else Debian's highest /usr/lib/postgresql/N/bin; else PATH.
 */
export function pgTool(name: 'pg_dump' | 'pg_restore', binDir = process.env.FLEETPLANE_PG_BIN): string {
  if (binDir && existsSync(join(binDir, name))) return join(binDir, name);
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join('/usr/lib/postgresql', v, 'bin', name))) return join('/usr/lib/postgresql', v, 'bin', name);
  } catch {
    // not Debian: PATH
  }
  return name;
}

export interface ToolRun<I extends Writable | null, O extends Readable | null> {
  readonly child: ChildProcessByStdio<I, O, Readable>;
  /** Resolves on exit 0; rejects naming the tool, the exit and the tail of its stderr. */
  readonly done: Promise<void>;
}

/** Spawns a PostgreSQL tool without a shell; the connection string goes in the environment, not argv (ps shows argv). */
export function runTool<I extends 'pipe' | 'ignore', O extends 'pipe' | 'ignore'>(
  tool: string,
  args: string[],
  connectionString: string,
  stdio: { stdin: I; stdout: O },
): ToolRun<I extends 'pipe' ? Writable : null, O extends 'pipe' ? Readable : null> {
  const url = new URL(connectionString);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username),
    PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
    ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
  };
  const child = spawn(tool, args, { env, stdio: [stdio.stdin, stdio.stdout, 'pipe'], shell: false }) as never as ChildProcessByStdio<
    I extends 'pipe' ? Writable : null,
    O extends 'pipe' ? Readable : null,
    Readable
  >;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${tool} could not start: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${tool} exited with ${code ?? signal}: ${stderr.trim()}`));
    });
  });
  return { child, done };
}
