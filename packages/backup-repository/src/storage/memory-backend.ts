import { NotFoundError } from '../errors.js';
import { assertObjectKey, type StorageBackend } from './storage-backend.js';

/** Objects in a Map: for unit tests and for tests that tamper with stored bytes (`objects` is exposed). */
export class MemoryBackend implements StorageBackend {
  readonly kind = 'memory';
  readonly objects = new Map<string, Buffer>();

  put(key: string, data: Uint8Array): Promise<void> {
    assertObjectKey(key);
    this.objects.set(key, Buffer.from(data));
    return Promise.resolve();
  }

  get(key: string, range?: { offset: number; length: number }): Promise<Buffer> {
    const object = this.objects.get(key);
    if (!object) return Promise.reject(new NotFoundError(`object ${key} does not exist`));
    if (!range) return Promise.resolve(Buffer.from(object));
    if (range.offset + range.length > object.length)
      return Promise.reject(new NotFoundError(`object ${key} has no bytes [${range.offset}, ${range.offset + range.length})`));
    return Promise.resolve(Buffer.from(object.subarray(range.offset, range.offset + range.length)));
  }

  has(key: string): Promise<boolean> {
    return Promise.resolve(this.objects.has(key));
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    for (const [key, value] of [...this.objects]) if (key.startsWith(prefix)) yield { key, size: value.length };
    await Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.objects.delete(key);
    return Promise.resolve();
  }
}
