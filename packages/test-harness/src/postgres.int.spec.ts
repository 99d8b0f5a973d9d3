import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './index.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The temp dirs of the server on `port`: other test files start clusters in
 * parallel, so they are identified by their socket file / postmaster.pid, not by timing.
 */
function ownTempDirs(port: number): string[] {
  return readdirSync(tmpdir())
    .filter((d) => d.startsWith('fleetplane-pg'))
    .map((d) => join(tmpdir(), d))
    .filter((dir) => {
      if (existsSync(join(dir, `.s.PGSQL.${port}`))) return true;
      const pid = join(dir, 'postmaster.pid');
      return existsSync(pid) && readFileSync(pid, 'utf8').split('\n')[3] === String(port);
    });
}

describe('startPostgres', () => {
  it('creates databases idempotently and removes its temp dir on stop', async () => {
    const postgres = await startPostgres();
    const created = ownTempDirs(postgres.port);
    expect(created).toHaveLength(2); // data dir + socket dir
    try {
      expect(postgres.url).toBe(`postgresql://postgres@127.0.0.1:${postgres.port}/postgres`);
      const url = await postgres.createDatabase('x');
      expect(await postgres.createDatabase('x')).toBe(url);
      expect(url).toBe(`postgresql://postgres@127.0.0.1:${postgres.port}/x`);
      expect(await query(url, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await postgres.stop();
    }
    for (const dir of created) expect(existsSync(dir)).toBe(false);
  });

  it('keeps data in a given dataDir across restarts', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fleetplane-spec-'));
    // When tests run as root, PostgreSQL runs as another user, which must be able to reach the dataDir.
    chmodSync(root, 0o755);
    const dataDir = join(root, 'pgdata');
    const logFile = join(root, 'postgres.log');
    try {
      const first = await startPostgres({ dataDir, logFile });
      try {
        const url = await first.createDatabase('keep');
        await query(url, `create table t (v text); insert into t values ('persisted')`);
      } finally {
        await first.stop();
      }
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);

      const second = await startPostgres({ dataDir, logFile });
      try {
        const url = await second.createDatabase('keep');
        expect(await query(url, 'select v from t')).toEqual([{ v: 'persisted' }]);
      } finally {
        await second.stop();
      }
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
