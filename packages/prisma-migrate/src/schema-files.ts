import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface SchemaFile {
  path: string;
  content: string;
}

/** Reads a Prisma schema: one file, or (Prisma's multi-file layout) every .prisma file under a folder. */
export async function readSchemaFiles(schemaPath: string): Promise<SchemaFile[]> {
  const absolute = resolve(schemaPath);
  const info = await stat(absolute).catch(() => {
    throw new Error(`Prisma schema not found: ${absolute}`);
  });
  if (info.isFile()) return [{ path: absolute, content: await readFile(absolute, 'utf8') }];

  const names = (await readdir(absolute, { recursive: true })).filter((name) => name.endsWith('.prisma')).sort();
  if (names.length === 0) throw new Error(`No .prisma files in schema folder ${absolute}`);
  return Promise.all(names.map(async (name) => ({ path: join(absolute, name), content: await readFile(join(absolute, name), 'utf8') })));
}
