// Backup benchmark: a generated PostgreSQL database, then in one run
//  1. `pg_dump -Fc --compress=0 | zstd -T2 > file` vs a fleetplane FULL (zstd 3, AES-256-GCM, local storage)
//  2. peak RSS of the backup process
//  3. 1 % of rows changed, then an INCREMENTAL: bytes stored and time vs the FULL's
//  4. restore of the INCREMENTAL into a new database vs `pg_restore` of a plain (uncompressed) dump file
// Usage: node bench/backup/run.mjs [--mb 256]   (after `pnpm build`)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runSql, startPostgres } from '../../packages/test-harness/dist/index.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '256' } } });
const targetMiB = Number(values.mb);
const pgBin = (tool) => {
  const dirs = process.env.FLEETPLANE_PG_BIN ? [process.env.FLEETPLANE_PG_BIN] : ['/usr/lib/postgresql/15/bin'];
  return join(dirs[0], tool);
};
const work = mkdtempSync(join(tmpdir(), 'fleetplane-bench-backup-'));
const postgres = await startPostgres();
const url = await postgres.createDatabase('bench');
const child = (...args) =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [new URL('./backup-child.mjs', import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1))) : reject(new Error(`child ${args[0]} exited ${code}`))));
  });
const time = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const env = (() => {
  const u = new URL(url);
  return { ...process.env, PGHOST: u.hostname, PGPORT: u.port, PGUSER: 'postgres', PGDATABASE: 'bench' };
})();

try {
  // Rows of ~200 bytes: an id, a host name, a status, a timestamp and a JSON detail with some entropy.
  const rows = Math.round((targetMiB * 1024 * 1024) / 200);
  const genMs = time(() => {
    execFileSync(pgBin('psql'), ['-q', '-c', 'CREATE TABLE events (id bigint PRIMARY KEY, host text, status text, at timestamptz, detail jsonb)'], { env });
    execFileSync(
      pgBin('psql'),
      [
        '-q',
        '-c',
        `INSERT INTO events SELECT g, 'host-' || (g % 5000), CASE WHEN g % 11 = 0 THEN 'failed' ELSE 'ok' END, '2026-01-01'::timestamptz + g * interval '1 second', jsonb_build_object('n', g, 'tag', md5(g::text), 'load', (g::bigint * 7919) % 1000) FROM generate_series(1, ${rows}) g`,
      ],
      { env },
    );
  });
  const dbBytes = Number((await runSql(url, `SELECT pg_database_size('bench') AS s`)).rows[0].s);

  // 1. the pipeline
  const zstFile = join(work, 'dump.zst');
  const pipelineMs = time(() => execFileSync('sh', ['-c', `"${pgBin('pg_dump')}" --format=custom --compress=0 | zstd -q -T2 -3 > "${zstFile}"`], { env }));
  const zstBytes = statSync(zstFile).size;

  // 2. FULL
  const repoDir = join(work, 'repo');
  await child('init', repoDir, url);
  const full = await child('backup', repoDir, url, 'FULL');

  // 3. change 1 % of rows (a contiguous id range: recent rows are the ones that change), INCREMENTAL
  const changed = Math.round(rows / 100);
  await runSql(url, `UPDATE events SET status = 'retried', detail = detail || '{"retried":true}' WHERE id > $1`, [rows - changed]);
  const inc = await child('backup', repoDir, url, 'INCREMENTAL');

  // 4. restores: ours from the repository vs pg_restore from a plain dump file
  const plainFile = join(work, 'plain.dump');
  execFileSync(pgBin('pg_dump'), ['--format=custom', '--compress=0', '--file', plainFile], { env });
  await runSql(url, 'CREATE DATABASE bench_pg_restore');
  const pgRestoreMs = time(() => execFileSync(pgBin('pg_restore'), ['--no-owner', '--no-privileges', '--dbname=bench_pg_restore', plainFile], { env }));
  const restore = await child('restore', repoDir, url, `${inc.id}:bench_fleetplane_restore`);

  const mib = (b) => (b / 1024 / 1024).toFixed(1);
  const s = (ms) => (ms / 1000).toFixed(2);
  console.log(
    JSON.stringify(
      {
        rows,
        databaseMiB: mib(dbBytes),
        dumpMiB: mib(full.stats.bytesRead),
        generateS: s(genMs),
        pipeline: { wallS: s(pipelineMs), zstMiB: mib(zstBytes) },
        full: {
          wallS: s(full.wallMs),
          storedMiB: mib(full.stats.bytesStored),
          maxRssMiB: full.maxRssMiB.toFixed(0),
          compressionRatio: full.compressionRatio.toFixed(2),
        },
        speedVsPipeline: (pipelineMs / full.wallMs).toFixed(2),
        incremental: {
          changedRows: changed,
          wallS: s(inc.wallMs),
          storedMiB: mib(inc.stats.bytesStored),
          storedShareOfFull: ((100 * inc.stats.bytesStored) / full.stats.bytesStored).toFixed(2) + ' %',
          timeShareOfFull: ((100 * inc.wallMs) / full.wallMs).toFixed(1) + ' %',
          maxRssMiB: inc.maxRssMiB.toFixed(0),
          dedupRatio: inc.dedupRatio.toFixed(1),
        },
        restore: {
          fleetplaneS: s(restore.wallMs),
          pgRestorePlainS: s(pgRestoreMs),
          ratio: (restore.wallMs / pgRestoreMs).toFixed(2),
          mismatches: restore.mismatches,
          maxRssMiB: restore.maxRssMiB.toFixed(0),
        },
      },
      null,
      2,
    ),
  );
} finally {
  await postgres.stop();
  rmSync(work, { recursive: true, force: true });
}
