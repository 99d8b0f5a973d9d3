import type { DiffParams, SchemaEngine } from '@prisma/schema-engine-wasm';
import { NO_EXTERNAL_OBJECTS, withSchemaEngine } from './engine-session.js';
import { migrationDirName } from './migration-name.js';
import { LOCKFILE_CONTENT, readMigrationList, writeMigration } from './migrations-dir.js';
import { readSchemaFiles, type SchemaFile } from './schema-files.js';

export interface MigrateOptions {
  /** Prisma schema file, or a folder of .prisma files. */
  schemaPath: string;
  /** Prisma's migrations folder, e.g. `prisma/migrations`. */
  migrationsDir: string;
  /** postgresql:// URL of the database to migrate (and to create shadow databases next to). */
  databaseUrl: string;
}

export interface CreateMigrationOptions extends MigrateOptions {
  /** Human name; stored snake_cased after the timestamp. */
  name: string;
}

/** What `prisma migrate deploy` does: applies pending migrations, recording them in `_prisma_migrations`. */
export async function deployMigrations(options: MigrateOptions): Promise<string[]> {
  const [schemaFiles, migrationsList] = await Promise.all([readSchemaFiles(options.schemaPath), readMigrationList(options.migrationsDir)]);
  return withSchemaEngine(schemaFiles, options.databaseUrl, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList, filters: NO_EXTERNAL_OBJECTS });
    return result.appliedMigrationNames;
  });
}

/**
 * The SQL that would bring the migration history up to the schema; '' when they agree.
 * Replays the history on a throwaway shadow database (diffing the live database trips over
 * PostgreSQL's internal 'char' column type in the wasm engine).
 */
export async function checkDrift(options: MigrateOptions): Promise<string> {
  return pendingSql(options);
}

/** Writes the next migration (`<timestamp>_<name>/migration.sql`); null when the schema needs none. */
export async function createMigration(options: CreateMigrationOptions): Promise<string | null> {
  const dirName = migrationDirName(options.name); // validate the name before touching any database
  const sql = await pendingSql(options);
  if (!sql) return null;
  await writeMigration(options.migrationsDir, dirName, sql);
  return dirName;
}

async function pendingSql(options: MigrateOptions): Promise<string> {
  const [schemaFiles, migrationsList] = await Promise.all([readSchemaFiles(options.schemaPath), readMigrationList(options.migrationsDir)]);
  // Diffing from a history needs the lockfile to pick the connector; before the first
  // migration there is none yet, and this tool only ever writes a postgresql one.
  migrationsList.lockfile.content ??= LOCKFILE_CONTENT;
  return withSchemaEngine(schemaFiles, options.databaseUrl, async (engine) => diffToSchema(engine, { tag: 'migrations', ...migrationsList }, schemaFiles));
}

async function diffToSchema(engine: SchemaEngine, from: DiffParams['from'], schemaFiles: SchemaFile[]): Promise<string> {
  const result = await engine.diff({
    from,
    to: { tag: 'schemaDatamodel', files: schemaFiles },
    script: true,
    // exitCode 2 means "non-empty diff"; an empty diff still prints a "-- This is an empty migration." comment.
    exitCode: true,
    filters: NO_EXTERNAL_OBJECTS,
  });
  return result.exitCode === 2 ? (result.stdout ?? '') : '';
}
