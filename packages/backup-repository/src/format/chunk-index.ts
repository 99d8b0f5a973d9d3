import { createHash } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';
import { IntegrityError } from '../errors.js';
import type { StorageBackend } from '../storage/storage-backend.js';
import { AAD, KEYS } from './format-version.js';
import { indexFileSchema, type BlobEntry, type IndexFile } from './schemas.js';

export interface BlobLocation {
  readonly pack: string;
  readonly entry: BlobEntry;
}

/**
 * Chunk id → where its blob is. The index is the union of the `index/*` files, each written once by a
 * backup (or by prune, which replaces the ones it supersedes); its memory is what bounds the
 * repository's (≈ 150 bytes per chunk, so ~150 MB per TB at 1 MiB chunks), never the data.
 * A chunk stored twice (two FULLs each write their own) keeps its first location.
 */
export class ChunkIndex {
  private readonly locations = new Map<string, BlobLocation>();
  /** Every blob of every pack as its index file lists it, duplicates included: prune accounts per pack. */
  private readonly packBlobs = new Map<string, BlobEntry[]>();
  /** The index files the map was read from: prune replaces exactly these. */
  readonly files: string[] = [];

  static async load(backend: StorageBackend, keyring: Keyring): Promise<ChunkIndex> {
    const index = new ChunkIndex();
    for await (const { key } of backend.list('index/')) {
      const file = await readIndexFile(backend, keyring, key);
      index.files.push(key);
      for (const pack of file.packs) index.addPack(pack.pack, pack.blobs);
    }
    return index;
  }

  addPack(pack: string, blobs: readonly BlobEntry[]): void {
    this.packBlobs.set(pack, [...blobs]);
    for (const entry of blobs) if (!this.locations.has(entry.id)) this.locations.set(entry.id, { pack, entry });
  }

  get(id: string): BlobLocation | undefined {
    return this.locations.get(id);
  }

  has(id: string): boolean {
    return this.locations.has(id);
  }

  get size(): number {
    return this.locations.size;
  }

  ids(): IterableIterator<string> {
    return this.locations.keys();
  }

  /** Every pack the index knows, with all its blobs. */
  packs(): ReadonlyMap<string, readonly BlobEntry[]> {
    return this.packBlobs;
  }
}

/** Index files are named by the SHA-256 of their sealed bytes, so a swapped or altered file is detected. */
export async function writeIndexFile(backend: StorageBackend, keyring: Keyring, packs: IndexFile['packs']): Promise<string> {
  const sealed = keyring.seal(Buffer.from(JSON.stringify({ version: 1, packs })), AAD.index);
  const key = KEYS.index(createHash('sha256').update(sealed).digest('hex'));
  await backend.put(key, sealed);
  return key;
}

async function readIndexFile(backend: StorageBackend, keyring: Keyring, key: string): Promise<IndexFile> {
  const sealed = await backend.get(key);
  if (`index/${createHash('sha256').update(sealed).digest('hex')}` !== key) throw new IntegrityError(`index file ${key} does not match its checksum`);
  const parsed = indexFileSchema.safeParse(JSON.parse(keyring.open(sealed, AAD.index).toString()));
  if (!parsed.success) throw new IntegrityError(`index file ${key} does not parse: ${parsed.error.message}`);
  return parsed.data;
}
