import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { SchemaEngine, type SchemaFilter } from '@prisma/schema-engine-wasm';
import { createAdapterFactory } from './adapter-factory.js';
import { parseDatabaseUrl } from './database-url.js';
import type { SchemaFile } from './schema-files.js';

/** No tables or enums are managed outside Prisma in fleetplane. */
export const NO_EXTERNAL_OBJECTS: SchemaFilter = { externalTables: [], externalEnums: [] };

/**
 * Runs `work` with a wasm schema engine connected to `databaseUrl`, then frees the engine and
 * ends every pool (the engine does not end the live one), so a CLI run exits promptly.
 */
export async function withSchemaEngine<T>(
  schemaFiles: SchemaFile[],
  databaseUrl: string,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const factory = createAdapterFactory(parseDatabaseUrl(databaseUrl));
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
}

// The engine logs JSON lines; they are noise unless someone is debugging the engine itself.
function logEngineMessage(message: unknown): void {
  if (process.env.FLEETPLANE_MIGRATE_DEBUG) process.stderr.write(`[schema-engine] ${String(message)}\n`);
}

/** Engine errors arrive as plain objects or JSON strings; turn them into an Error with the human message. */
function toReadableError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return new Error(String((error as { message: unknown }).message));
  }
  return new Error(typeof error === 'string' ? error : JSON.stringify(error));
}
