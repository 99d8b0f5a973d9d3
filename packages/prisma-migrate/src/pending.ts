import pg from 'pg';
import { readMigrationList } from './migrations-dir.js';

/**
 * The migrations in `migrationsDir` that the database has not applied yet, in order: those
 * without a finished, not rolled back row in `_prisma_migrations` (all of them before the first
 * deploy, when the table does not exist). Read before deploying, to announce what is coming.
 */
export async function pendingMigrations(migrationsDir: string, databaseUrl: string): Promise<string[]> {
  const names = (await readMigrationList(migrationsDir)).migrationDirectories.map((d) => d.path);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Two statements: a query naming a table that does not exist fails at parse time, in any branch.
    const { rows: exists } = await client.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
    if (!exists[0]?.t) return names;
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return names.filter((n) => !applied.has(n));
  } finally {
    await client.end();
  }
}
