import { once } from 'node:events';
import pg from 'pg';
import { z } from 'zod';
import { pgTool, runTool } from '../sources/pg-tools.js';
import { ident, tableRowCounts } from '../sources/table-row-counts.js';

export const postgresMetadataSchema = z.object({
  format: z.literal('pg_dump-custom'),
  database: z.string(),
  rowCounts: z.record(z.string(), z.number()),
});

export interface RestoreCheck {
  readonly database: string;
  readonly tables: number;
  readonly rows: number;
  /** Tables whose restored row count differs from the manifest's (empty when the restore is good). */
  readonly mismatches: Array<{ table: string; expected: number; actual: number | undefined }>;
}

/**
 * Restores a pg_dump archive into a new database of the given name (created here, never an existing
 * one: a restore must not merge into live data), streaming the archive into pg_restore's stdin, then
 * counts rows per table and compares them with the counts recorded in the manifest.
 */
export class PostgresRestorer {
  /** `adminUrl`: a role that may CREATE DATABASE; the target database gets its name from the request. */
  constructor(private readonly adminUrl: string) {}

  /**
   * An aborted `signal` kills pg_restore and drops the database this call created: a cancelled restore
   * leaves no half-filled database behind (a failed one is left for inspection).
   */
  async restore(target: string, archive: AsyncIterable<Uint8Array>, metadata: unknown, signal?: AbortSignal): Promise<RestoreCheck> {
    const { rowCounts } = postgresMetadataSchema.parse(metadata);
    signal?.throwIfAborted();
    await this.withAdmin((c) => c.query(`CREATE DATABASE ${ident(target)}`));
    try {
      return await this.fill(target, archive, rowCounts, signal);
    } catch (error) {
      if (signal?.aborted) await this.withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${ident(target)} WITH (FORCE)`));
      throw error;
    }
  }

  private async fill(
    target: string,
    archive: AsyncIterable<Uint8Array>,
    rowCounts: Record<string, number>,
    signal: AbortSignal | undefined,
  ): Promise<RestoreCheck> {
    const targetUrl = databaseUrl(this.adminUrl, target);
    const run = runTool(pgTool('pg_restore'), ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${target}`], targetUrl, {
      stdin: 'pipe',
      stdout: 'ignore',
    });
    const stdin = run.child.stdin;
    const streamError = new Promise<never>((_, reject) => stdin.once('error', reject));
    streamError.catch(() => undefined);
    const kill = () => run.child.kill('SIGTERM');
    signal?.addEventListener('abort', kill, { once: true });
    try {
      for await (const bytes of archive) {
        signal?.throwIfAborted();
        if (!stdin.write(bytes)) await Promise.race([once(stdin, 'drain'), streamError, run.done]);
      }
      stdin.end();
    } catch (error) {
      run.child.kill('SIGTERM');
      await run.done.catch(() => undefined);
      throw signal?.aborted ? signal.reason : error;
    } finally {
      signal?.removeEventListener('abort', kill);
    }
    await run.done.catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : error;
    });
    signal?.throwIfAborted();
    const actual = await withClient(targetUrl, tableRowCounts);
    const mismatches = Object.entries(rowCounts)
      .filter(([table, expected]) => actual[table] !== expected)
      .map(([table, expected]) => ({ table, expected, actual: actual[table] }));
    return { database: target, tables: Object.keys(rowCounts).length, rows: Object.values(rowCounts).reduce((a, b) => a + b, 0), mismatches };
  }

  /** Which of these databases exist already (a restore into one is refused before its job is queued). */
  async existing(names: readonly string[]): Promise<string[]> {
    const { rows } = await this.withAdmin((c) => c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [names]));
    return rows.map((r) => r.datname);
  }

  private withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    return withClient(this.adminUrl, fn);
  }
}

export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
