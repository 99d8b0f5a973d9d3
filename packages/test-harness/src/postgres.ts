import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { resolvePgBinary } from './binaries.js';
import { describeExit, spawnChild } from './children.js';
import { OutputBuffer } from './output-buffer.js';
import { freePort } from './ports.js';
import { postgresRunAs, type RunAs } from './run-as.js';
import { abortStart, makeServerHandle, OwnedDirs, type ServerHandle, type ServerOptions } from './server-handle.js';
import { makeTempDir } from './temp-dir.js';
import { waitUntilReady } from './wait.js';

export interface PostgresHandle extends ServerHandle {
  /** Creates the database if it does not exist yet; returns its postgresql:// URL. */
  createDatabase(name: string): Promise<string>;
}

function ownDir(dir: string, runAs: RunAs | null): void {
  // initdb/postgres (running as runAs) must own their data and socket dirs.
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
}

const asUser = (runAs: RunAs | null) => (runAs ? { uid: runAs.uid, gid: runAs.gid } : {});

function urlFor(port: number, database: string): string {
  return `postgresql://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  // An 'error' event on an idle client (server shutting down) must not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One statement on a fresh connection: for tests that reach into a service's database (a trigger, a check). */
export async function runSql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  return withClient(url, (c) => c.query(text, values));
}

async function initdb(dataDir: string, runAs: RunAs | null, ephemeral: boolean, output: OutputBuffer): Promise<void> {
  const args = ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'];
  // A throwaway cluster does not need its files fsynced; saves seconds per test file.
  if (ephemeral) args.push('--no-sync');
  const child = spawnChild(resolvePgBinary('initdb'), args, { cwd: tmpdir(), ...asUser(runAs) }, output);
  const exit = await child.exited;
  if (exit.code !== 0) {
    const hint =
      runAs && /Permission denied/.test(output.all())
        ? `\nNote: initdb runs as user "${runAs.name}"; ${dataDir} and every parent dir must be traversable by it.`
        : '';
    throw new Error(`initdb ${describeExit(exit)}; output:\n${output.tail()}${hint}`);
  }
}

/**
 * Starts PostgreSQL on 127.0.0.1 with trust auth for user `postgres`.
 * With a dataDir the cluster is created once and reused (`make up`);
 * without one it lives in a temp dir with durability turned off (tests).
 */
export async function startPostgres(opts: ServerOptions = {}): Promise<PostgresHandle> {
  const postgresBin = resolvePgBinary('postgres');
  const runAs = postgresRunAs();
  const port = opts.port ?? (await freePort());
  const ephemeral = opts.dataDir === undefined;
  const owned = new OwnedDirs();
  const output = new OutputBuffer(opts.logFile);

  const dataDir = opts.dataDir ?? owned.add(makeTempDir('pg'));
  // Unix sockets go to our own dir so we never collide with a system cluster in /var/run/postgresql.
  const socketDir = owned.add(makeTempDir('pgsock'));
  ownDir(socketDir, runAs);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // Parents get default permissions so the postgres user can traverse them; the cluster dir itself is private.
    mkdirSync(dirname(dataDir), { recursive: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    ownDir(dataDir, runAs);
    try {
      await initdb(dataDir, runAs, ephemeral, output);
    } catch (err) {
      await owned.removeAll();
      throw err;
    }
  }

  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', socketDir];
  if (ephemeral) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = spawnChild(postgresBin, args, { cwd: dataDir, ...asUser(runAs) }, output);
  const adminUrl = urlFor(port, 'postgres');
  try {
    await waitUntilReady(`postgres on port ${port}`, child, async () => {
      await withClient(adminUrl, (c) => c.query('select 1'));
      return true;
    });
  } catch (err) {
    await abortStart(child, owned);
    throw err;
  }

  // SIGINT is PostgreSQL's "fast" shutdown: still a clean checkpoint, but it
  // does not wait for clients to disconnect the way SIGTERM ("smart") does,
  // so a test that leaked a pool cannot stall stop() until the SIGKILL.
  const handle = makeServerHandle(child, adminUrl, port, owned, 'SIGINT');
  return {
    ...handle,
    async createDatabase(name: string): Promise<string> {
      await withClient(adminUrl, async (c) => {
        const found = await c.query('select 1 from pg_database where datname = $1', [name]);
        if (found.rowCount) return;
        try {
          await c.query(`create database "${name.replaceAll('"', '""')}"`);
        } catch (err) {
          // Lost a race with a concurrent createDatabase of the same name: that is success.
          const code = (err as { code?: string }).code;
          if (code !== '42P04' && code !== '23505') throw err;
        }
      });
      return urlFor(port, name);
    },
  };
}
