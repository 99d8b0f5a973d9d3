import pg from 'pg';
import type { BackupSource, SourceCapture } from './backup-source.js';
import { pgTool, runTool } from './pg-tools.js';
import { tableRowCounts } from './table-row-counts.js';

export interface PostgresSourceOptions {
  readonly name: string;
  /** A role that can only read (granted pg_read_all_data): the backup never needs to write. */
  readonly connectionString: string;
}

/**
 * One PostgreSQL database, dumped with `pg_dump --format=custom`. Consistency: a REPEATABLE READ,
 * READ ONLY transaction exports its snapshot; the row counts are taken in it and pg_dump is pointed at
 * it (`--snapshot`), so the counts describe exactly the dumped data. The transaction stays open until
 * pg_dump ends. pg_dump's own compression is off (`--compress=0`): compressed dumps change wholesale
 * when one row changes, which would defeat the chunk dedup; the repository compresses instead.
 */
export class PostgresSource implements BackupSource {
  readonly kind = 'postgres';
  readonly name: string;

  constructor(private readonly options: PostgresSourceOptions) {
    this.name = options.name;
  }

  async open(): Promise<SourceCapture> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<{ snapshot: string; version: string; database: string }>(
        'SELECT pg_export_snapshot() AS snapshot, current_setting($1) AS version, current_database() AS database',
        ['server_version_num'],
      );
      const { snapshot, version, database } = rows[0]!;
      const rowCounts = await tableRowCounts(client);
      const dump = runTool(
        pgTool('pg_dump'),
        ['--format=custom', '--compress=0', '--no-owner', '--no-privileges', `--snapshot=${snapshot}`],
        this.options.connectionString,
        {
          stdin: 'ignore',
          stdout: 'pipe',
        },
      );
      const finished = dump.done.finally(() => client.query('COMMIT').finally(() => client.end()));
      // Observed here too so a failed dump is never an unhandled rejection before the caller awaits it.
      finished.catch(() => undefined);
      return {
        data: dump.child.stdout,
        metadata: { format: 'pg_dump-custom', database, serverVersionNum: Number(version), rowCounts },
        finished,
        abort: () => dump.child.kill('SIGTERM'),
      };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }
}
