import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePgBinary, runSql, startPostgres, type PostgresHandle } from '@fleetplane/test-harness';
import { REPO_ROOT } from '../fleet.js';

// compose's PostgreSQL init files, run as the postgres image's entrypoint runs them (the .sql
// through psql, then the .sh with the image's environment), against a real server: the databases
// exist, and the backup service's role reads every one of them and can change none.
const run = promisify(execFile);
const INIT = join(REPO_ROOT, 'infra/postgres');

describe('infra/postgres: the init files compose mounts', () => {
  let postgres: PostgresHandle;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    postgres = await startPostgres();
    const url = new URL(postgres.url);
    const psql = resolvePgBinary('psql');
    // The image's entrypoint: PATH has psql, PG* name the server, POSTGRES_USER the superuser.
    env = {
      PATH: `${dirname(psql)}:${process.env.PATH ?? ''}`,
      PGHOST: url.hostname,
      PGPORT: url.port,
      POSTGRES_USER: 'postgres',
      BACKUP_READER_PASSWORD: 'reader-secret',
    };
    await run(psql, ['-v', 'ON_ERROR_STOP=1', '--username', 'postgres', '--dbname', 'postgres', '-f', join(INIT, 'init-databases.sql')], { env });
    await run(join(INIT, 'init-backup-reader.sh'), [], { env });
  });

  afterAll(async () => {
    await postgres?.stop();
  });

  const as = (user: string, database: string) => {
    const url = new URL(postgres.url);
    url.username = user;
    url.pathname = `/${database}`;
    return url.toString();
  };

  it('creates every database compose names, and a backup_reader role that reads all of them and writes none', async () => {
    const databases = [...readFileSync(join(INIT, 'init-databases.sql'), 'utf8').matchAll(/CREATE DATABASE (\w+);/g)].map((m) => m[1]!);
    expect(databases.length).toBeGreaterThan(0);
    for (const db of databases) {
      await runSql(as('postgres', db), 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)');
      const { rows } = await runSql(as('backup_reader', db), 'SELECT count(*)::int AS n FROM t');
      expect(rows, db).toEqual([{ n: 1 }]);
      await expect(runSql(as('backup_reader', db), 'INSERT INTO t VALUES (2)'), db).rejects.toThrow(/permission denied/);
      await expect(runSql(as('backup_reader', db), 'CREATE TABLE u (id int)'), db).rejects.toThrow(/permission denied/);
    }
  });

  it('refuses to run without the reader password (nothing is created with an empty one)', async () => {
    const { BACKUP_READER_PASSWORD: _, ...without } = env;
    await expect(run(join(INIT, 'init-backup-reader.sh'), [], { env: without })).rejects.toThrow(/BACKUP_READER_PASSWORD/);
  });
});
