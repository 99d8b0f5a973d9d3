import { createHash } from 'node:crypto';
import { decompress } from '../compression/compression.js';
import { IntegrityError } from '../errors.js';
import { AAD, KEYS } from '../format/format-version.js';
import type { SourceEntry } from '../format/schemas.js';
import type { Repository } from './repository.js';

/**
 * Streams a source back: each chunk is read out of its pack by range, authenticated (GCM or
 * encrypt-then-MAC with the chunk id bound in), decompressed with an output cap, and its keyed hash
 * compared with the id — so a wrong, swapped or altered chunk is refused before its bytes go out.
 * The total length and SHA-256 are checked at the end. Memory: one chunk at a time.
 */
export async function* restoreSource(repository: Repository, source: SourceEntry): AsyncGenerator<Buffer> {
  const index = await repository.loadIndex();
  const { keyring } = repository;
  const maxSize = repository.config.chunker.maxSize;
  const hash = createHash('sha256');
  let size = 0;
  for (const id of source.chunks) {
    const plaintext = await readChunk(repository, id, maxSize);
    hash.update(plaintext);
    size += plaintext.length;
    yield plaintext;
  }
  if (size !== source.size || hash.digest('hex') !== source.sha256)
    throw new IntegrityError(`source ${source.name} does not match its recorded size and checksum`);

  async function readChunk(repo: Repository, id: string, max: number): Promise<Buffer> {
    const location = index.get(id);
    if (!location) throw new IntegrityError(`chunk ${id} is not in the index (missing pack or index file)`);
    const { entry, pack } = location;
    const sealed = await repo.backend.get(KEYS.pack(pack), { offset: entry.offset, length: entry.length });
    const stored = keyring.open(sealed, AAD.blob(id));
    let plaintext: Buffer;
    try {
      plaintext = await decompress(entry.compression, stored, max);
    } catch {
      throw new IntegrityError(`chunk ${id} does not decompress`);
    }
    if (plaintext.length !== entry.rawLength || keyring.chunkId(plaintext) !== id) throw new IntegrityError(`chunk ${id} does not match its id`);
    return plaintext;
  }
}
