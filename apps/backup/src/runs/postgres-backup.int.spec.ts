import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntegrityError, LocalBackend, Repository } from '@fleetplane/backup-repository';
import { runSql, startPostgres, type PostgresHandle } from '@fleetplane/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, PostgresRestorer } from '../restore/postgres-restorer.js';
import { PostgresSource } from '../sources/postgres-source.js';
import { BackupRunner, type BackupOutcome } from './backup-runner.js';
import { RestoreRunner } from './restore-runner.js';

// Real PostgreSQL, real pg_dump/pg_restore, a repository on a temporary directory: dump databases
// under a read-only role, restore them into new databases, compare every table's rows.
let postgres: PostgresHandle;
let adminUrl: string;
let dir: string;
let repo: Repository;
const outcomes: BackupOutcome[] = [];
const failures: unknown[] = [];
let runner: BackupRunner;
let restorer: RestoreRunner;

const readerUrl = (db: string) => {
  const url = new URL(databaseUrl(adminUrl, db));
  url.username = 'backup_reader';
  return url.toString();
};
const source = (db: string) => new PostgresSource({ name: db, connectionString: readerUrl(db) });

/** A digest of a table's contents, to compare source and restore row for row. */
async function digest(db: string, table: string): Promise<string> {
  const { rows } = await runSql(databaseUrl(adminUrl, db), `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS d FROM ${table} t`);
  return (rows[0] as { d: string }).d;
}

async function expectSameData(from: string, to: string) {
  for (const table of ['agents', 'audit_events']) expect(await digest(to, table), `${table} in ${to}`).toBe(await digest(from, table));
}

beforeAll(async () => {
  postgres = await startPostgres();
  adminUrl = postgres.url;
  for (const db of ['gateway_src', 'command_src']) {
    const url = await postgres.createDatabase(db);
    await runSql(url, `CREATE TABLE agents (id int PRIMARY KEY, name text NOT NULL, status text NOT NULL, seen_at timestamptz NOT NULL)`);
    await runSql(url, `CREATE TABLE audit_events (id bigserial PRIMARY KEY, agent_id int REFERENCES agents(id), detail jsonb NOT NULL)`);
    await runSql(
      url,
      `INSERT INTO agents SELECT g, 'agent-' || g, CASE WHEN g % 7 = 0 THEN 'offline' ELSE 'online' END, '2026-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 5000) g`,
    );
    await runSql(
      url,
      `INSERT INTO audit_events (agent_id, detail) SELECT 1 + g % 5000, jsonb_build_object('op', 'exec', 'n', g, 'note', repeat(md5(g::text), 3)) FROM generate_series(1, 30000) g`,
    );
  }
  // The role the backup reads with: it can read every table and write none.
  await runSql(adminUrl, `CREATE ROLE backup_reader LOGIN`);
  await runSql(adminUrl, `GRANT pg_read_all_data TO backup_reader`);
  dir = await mkdtemp(join(tmpdir(), 'fleetplane-backup-pg-'));
  repo = await Repository.init(new LocalBackend(dir), {
    masterKey: { passphrase: 'integration' },
    // Small chunks so a one-percent change in a ~10 MB dump leaves most chunks equal.
    chunker: { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 512 * 1024 },
    compression: { algorithm: 'zstd', level: 3 },
  });
  runner = new BackupRunner(repo, { succeeded: (o) => outcomes.push(o), failed: (_t, e) => failures.push(e) });
  restorer = new RestoreRunner(repo, { postgres: new PostgresRestorer(adminUrl) });
});

afterAll(async () => {
  await postgres?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PostgreSQL backup and restore', () => {
  it('the reader role cannot write', async () => {
    await expect(runSql(readerUrl('gateway_src'), `INSERT INTO agents VALUES (99999, 'x', 'online', now())`)).rejects.toThrow(/permission denied/);
  });

  it('refuses an INCREMENTAL or DIFFERENTIAL before any FULL', async () => {
    await expect(runner.run({ type: 'INCREMENTAL', sources: [source('gateway_src')] })).rejects.toThrow(/take a FULL first/);
    await expect(runner.run({ type: 'DIFFERENTIAL', sources: [source('gateway_src')] })).rejects.toThrow(/take a FULL first/);
  });

  let full: BackupOutcome;
  it('FULL: dumps under the read-only role and restores into a new database with equal rows', async () => {
    full = await runner.run({ type: 'FULL', sources: [source('gateway_src')] });
    const metadata = full.manifest.sources[0]!.metadata as { rowCounts: Record<string, number> };
    expect(metadata.rowCounts).toEqual({ 'public.agents': 5000, 'public.audit_events': 30000 });
    expect(full.compressionRatio).toBeGreaterThan(1.5);
    const result = await restorer.run({ backupId: full.manifest.id, targets: { gateway_src: 'restored_full' } });
    expect(result.checks[0]!.mismatches).toEqual([]);
    await expectSameData('gateway_src', 'restored_full');
  });

  let incremental: BackupOutcome;
  // The changed rows are contiguous (as recent rows usually are): an UPDATE moves a row to the end of
  // the heap, so 1 % of rows scattered over the whole table would touch every chunk of this small dump.
  it('INCREMENTAL after changing 1 % of rows stores a small fraction of the FULL, and restores the new state', async () => {
    await runSql(databaseUrl(adminUrl, 'gateway_src'), `UPDATE agents SET status = 'retired' WHERE id BETWEEN 2000 AND 2050`);
    await runSql(databaseUrl(adminUrl, 'gateway_src'), `UPDATE audit_events SET detail = detail || '{"seen":true}' WHERE id BETWEEN 10000 AND 10300`);
    // New rows as large as the old ones: small rows would fill the few free bytes PostgreSQL's free
    // space map records at the end of every full page, and touch every chunk of a dump this small.
    await runSql(
      databaseUrl(adminUrl, 'gateway_src'),
      `INSERT INTO audit_events (agent_id, detail) SELECT 1, jsonb_build_object('op', 'late', 'note', repeat(md5(g::text), 4)) FROM generate_series(1, 300) g`,
    );
    incremental = await runner.run({ type: 'INCREMENTAL', sources: [source('gateway_src')] });
    expect(incremental.manifest.parent).toBe(full.manifest.id);
    expect(incremental.manifest.stats.bytesStored).toBeLessThan(full.manifest.stats.bytesStored * 0.25);
    expect(incremental.dedupRatio).toBeGreaterThan(3);
    const result = await restorer.run({ backupId: incremental.manifest.id, targets: { gateway_src: 'restored_inc' } });
    expect(result.checks[0]!.mismatches).toEqual([]);
    await expectSameData('gateway_src', 'restored_inc');
  });

  it('DIFFERENTIAL is relative to the FULL, not to the INCREMENTAL, and restores the newest state', async () => {
    await runSql(databaseUrl(adminUrl, 'gateway_src'), `DELETE FROM audit_events WHERE id % 97 = 0`);
    const differential = await runner.run({ type: 'DIFFERENTIAL', sources: [source('gateway_src')] });
    expect(differential.manifest.parent).toBe(full.manifest.id);
    expect(differential.manifest.dependsOn).toEqual([full.manifest.id]);
    const result = await restorer.run({ backupId: differential.manifest.id, targets: { gateway_src: 'restored_diff' } });
    expect(result.checks[0]!.mismatches).toEqual([]);
    await expectSameData('gateway_src', 'restored_diff');
  });

  it('SNAPSHOT captures both databases as one set; a dry run lists it; both restore', async () => {
    const snapshot = await runner.run({ type: 'SNAPSHOT', sources: [source('gateway_src'), source('command_src')] });
    expect(snapshot.manifest.sources.map((s) => s.name)).toEqual(['gateway_src', 'command_src']);
    const targets = { gateway_src: 'restored_snap_gateway', command_src: 'restored_snap_command' };
    const dry = await restorer.run({ backupId: snapshot.manifest.id, targets, dryRun: true });
    expect(dry.checks).toEqual([]);
    expect(dry.plan.map((p) => [p.source, p.target, p.tables['public.agents']])).toEqual([
      ['gateway_src', 'restored_snap_gateway', 5000],
      ['command_src', 'restored_snap_command', 5000],
    ]);
    const { rows } = await runSql(adminUrl, `SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'restored_snap_%'`);
    expect((rows[0] as { n: number }).n).toBe(0); // the dry run created nothing
    const result = await restorer.run({ backupId: snapshot.manifest.id, targets });
    expect(result.checks.flatMap((c) => c.mismatches)).toEqual([]);
    await expectSameData('gateway_src', 'restored_snap_gateway');
    await expectSameData('command_src', 'restored_snap_command');
  });

  it('a failed dump (database gone) fails the run and commits no backup', async () => {
    const before = await repo.listBackups();
    await expect(runner.run({ type: 'FULL', sources: [source('does_not_exist')] })).rejects.toThrow(/does_not_exist/);
    expect(await repo.listBackups()).toEqual(before);
    expect(failures.length).toBeGreaterThan(0);
  });

  it("a SNAPSHOT whose second source fails stops the first one's dump: no reader session is left", async () => {
    await expect(runner.run({ type: 'SNAPSHOT', sources: [source('gateway_src'), source('does_not_exist')] })).rejects.toThrow(/does_not_exist/);
    // The server drops a closed session's row a moment after the client has gone: wait for it (bounded).
    const readers = async () =>
      ((await runSql(adminUrl, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'backup_reader'`)).rows[0] as { n: number }).n;
    for (let i = 0; i < 50 && (await readers()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await readers()).toBe(0);
  });

  it('a flipped byte in a pack: restore refuses it and verify --read-data names the pack', async () => {
    const latest = await repo.readManifest((await repo.listBackups()).at(-1)!);
    const { pack, entry } = (await repo.loadIndex(true)).get(latest.sources[0]!.chunks[0]!)!;
    const path = join(dir, 'packs', pack.slice(0, 2), pack);
    const bytes = await readFile(path);
    bytes[entry.offset + Math.floor(entry.length / 2)]! ^= 0x04;
    await writeFile(path, bytes);
    const report = await repo.verify({ readData: true });
    expect(report.errors.join('\n')).toContain(pack);
    await expect(restorer.run({ backupId: latest.id, targets: { [latest.sources[0]!.name]: 'restored_tampered' } })).rejects.toThrow(IntegrityError);
  });
});
