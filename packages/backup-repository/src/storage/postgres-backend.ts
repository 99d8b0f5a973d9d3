import pg from 'pg';
import { NotFoundError } from '../errors.js';
import { assertObjectKey, type StorageBackend } from './storage-backend.js';

export interface PostgresBackendOptions {
  /** The database that holds the repository (its own, named in config — not a service's database). */
  readonly connectionString: string;
  /** Table name; several repositories can live in one database under different tables. */
  readonly table?: string;
}

/**
 * Objects as bytea rows in a PostgreSQL table: for sites whose only durable store is a database.
 * Packs are tens of MiB, well inside bytea's 1 GiB limit; a put is one upsert (atomic, so a reader
 * sees the old row or the new one); ranges are read server-side with substring(), so restoring one
 * blob does not move its whole pack.
 */
export class PostgresBackend implements StorageBackend {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly table: string;

  constructor(options: PostgresBackendOptions) {
    const table = options.table ?? 'fleetplane_backup_objects';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) throw new RangeError(`table "${table}" must be a lower-case SQL identifier`);
    this.table = table;
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: 4 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async ensureTable(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ${this.table} (key text PRIMARY KEY, size integer NOT NULL, data bytea NOT NULL)`);
    // Packs are already compressed and encrypted: TOAST compression would only cost CPU.
    await this.pool.query(`ALTER TABLE ${this.table} ALTER COLUMN data SET STORAGE EXTERNAL`);
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    assertObjectKey(key);
    await this.pool.query(
      `INSERT INTO ${this.table} (key, size, data) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET size = EXCLUDED.size, data = EXCLUDED.data`,
      [key, data.length, Buffer.from(data.buffer, data.byteOffset, data.byteLength)],
    );
  }

  async get(key: string, range?: { offset: number; length: number }): Promise<Buffer> {
    assertObjectKey(key);
    const result = range
      ? await this.pool.query<{ data: Buffer; size: number }>(`SELECT substring(data FROM $2 FOR $3) AS data, size FROM ${this.table} WHERE key = $1`, [
          key,
          range.offset + 1,
          range.length,
        ])
      : await this.pool.query<{ data: Buffer; size: number }>(`SELECT data, size FROM ${this.table} WHERE key = $1`, [key]);
    const row = result.rows[0];
    if (!row) throw new NotFoundError(`object ${key} does not exist`);
    if (range && row.data.length !== range.length) throw new NotFoundError(`object ${key} has no bytes [${range.offset}, ${range.offset + range.length})`);
    return row.data;
  }

  async has(key: string): Promise<boolean> {
    assertObjectKey(key);
    return (await this.pool.query(`SELECT 1 FROM ${this.table} WHERE key = $1`, [key])).rowCount === 1;
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    // Keyset pages, so a listing of a large repository is not one huge result set.
    let after = '';
    for (;;) {
      const { rows } = await this.pool.query<{ key: string; size: number }>(
        `SELECT key, size FROM ${this.table} WHERE starts_with(key, $1) AND key > $2 ORDER BY key LIMIT 1000`,
        [prefix, after],
      );
      yield* rows;
      if (rows.length < 1000) return;
      after = rows[rows.length - 1]!.key;
    }
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    await this.pool.query(`DELETE FROM ${this.table} WHERE key = $1`, [key]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
