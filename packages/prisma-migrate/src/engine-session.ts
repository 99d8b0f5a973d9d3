import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { SchemaEngine, type SchemaFilter } from '@prisma/schema-engine-wasm';
import { createAdapterFactory } from './adapter-factory.js';
import { parseDatabaseUrl } from './database-url.js';
import { withUnrefEngineTimers } from './engine-timers.js';
import type { SchemaFile } from './schema-files.js';

/** No tables or enums are managed outside Prisma in fleetplane. */
export const NO_EXTERNAL_OBJECTS: SchemaFilter = { externalTables: [], externalEnums: [] };

/**
 * Runs `work` with a wasm schema engine connected to `databaseUrl`, then frees the engine and
 * ends every pool the engine left open, so a CLI run exits promptly (see also engine-timers.ts).
 */
export async function withSchemaEngine<T>(schemaFiles: SchemaFile[], databaseUrl: string, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const factory = createAdapterFactory(parseDatabaseUrl(databaseUrl));
  return withUnrefEngineTimers(async () => {
    let engine: SchemaEngine | undefined;
    try {
      engine = await SchemaEngine.new(
        { datamodels: schemaFiles.map((file): [string, string] => [file.path, file.content]) },
        logEngineMessage,
        bindMigrationAwareSqlAdapterFactory(factory),
      );
      return await work(engine);
    } catch (error) {
      throw toReadableError(error);
    } finally {
      engine?.free();
      await factory.close();
    }
  });
}

// The engine logs JSON lines; they are noise unless someone is debugging the engine itself.
function logEngineMessage(message: unknown): void {
  if (process.env.FLEETPLANE_MIGRATE_DEBUG) process.stderr.write(`[schema-engine] ${String(message)}\n`);
}

/**
 * Engine errors end with a Rust span trace ("   0: schema_engine_wasm::... at ...rs:242")
 * that says nothing to the person running a migration; keep the message before it.
 */
function toReadableError(error: unknown): Error {
  const raw =
    error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
      ? String(error.message)
      : typeof error === 'string'
        ? error
        : JSON.stringify(error);
  const message = raw.split(/\n\s*0: /)[0]!.trim();
  if (error instanceof Error) {
    error.message = message;
    return error;
  }
  return new Error(message);
}
