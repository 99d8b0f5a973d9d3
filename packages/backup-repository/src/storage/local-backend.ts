import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { NotFoundError } from '../errors.js';
import { assertObjectKey, type StorageBackend } from './storage-backend.js';

/**
 * A directory on a local (or mounted) filesystem. Writes go to a temporary file that is fsynced and
 * renamed into place, so a crash leaves the old object or the new one and never a torn file.
 */
export class LocalBackend implements StorageBackend {
  readonly kind = 'local';

  constructor(private readonly root: string) {}

  async put(key: string, data: Uint8Array): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  }

  async get(key: string, range?: { offset: number; length: number }): Promise<Buffer> {
    let file;
    try {
      file = await open(this.path(key), 'r');
    } catch (error) {
      throw notFound(error, key);
    }
    try {
      if (!range) return await file.readFile();
      const buffer = Buffer.allocUnsafe(range.length);
      const { bytesRead } = await file.read(buffer, 0, range.length, range.offset);
      if (bytesRead !== range.length) throw new NotFoundError(`object ${key} has no bytes [${range.offset}, ${range.offset + range.length})`);
      return buffer;
    } finally {
      await file.close();
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await stat(this.path(key));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    // Walk the deepest directory the prefix names, then filter; keys use '/' whatever the OS.
    const slash = prefix.lastIndexOf('/');
    const base = join(this.root, ...(slash >= 0 ? prefix.slice(0, slash).split('/') : []));
    let entries;
    try {
      entries = await readdir(base, { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.includes('.tmp-')) continue;
      const path = join(entry.parentPath, entry.name);
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.startsWith(prefix)) continue;
      yield { key, size: (await stat(path)).size };
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    assertObjectKey(key);
    return join(this.root, ...key.split('/'));
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function notFound(error: unknown, key: string): unknown {
  return isMissing(error) ? new NotFoundError(`object ${key} does not exist`) : error;
}
