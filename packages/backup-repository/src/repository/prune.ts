import { writeIndexFile } from '../format/chunk-index.js';
import { KEYS } from '../format/format-version.js';
import { buildPack, type SealedBlob } from '../format/pack.js';
import type { IndexFile } from '../format/schemas.js';
import type { Repository } from './repository.js';

export interface PruneReport {
  readonly packsKept: number;
  readonly packsDeleted: number;
  readonly packsRepacked: number;
  readonly blobsRemoved: number;
  readonly bytesFreed: number;
}

/**
 * Removes what no manifest references. A pack whose blobs are all still needed stays; one with none
 * is deleted; one in between is repacked — its live blobs copied as they are (a sealed blob is bound
 * to its chunk id, not to its pack) into new packs. Duplicate copies of a chunk (each FULL writes its
 * own) are dropped after the first. Order, for crash safety: new packs, then the new index, then the
 * old index files, then the old packs — at every step each referenced chunk is reachable.
 *
 * Memory: the index and the referenced-id set, plus one pack at a time. Must run under the
 * repository's exclusive lock (no backup in progress), which the backup service holds.
 */
export async function pruneRepository(repository: Repository): Promise<PruneReport> {
  const { backend, keyring } = repository;
  const index = await repository.loadIndex(true);
  const oldIndexFiles = [...index.files];
  const referenced = new Set<string>();
  for (const id of await repository.listBackups())
    for (const source of (await repository.readManifest(id)).sources) for (const c of source.chunks) referenced.add(c);

  const provided = new Set<string>();
  const keptPacks: IndexFile['packs'] = [];
  const toDelete: string[] = [];
  let repacked = 0;
  let blobsRemoved = 0;
  let bytesFreed = 0;
  let pending: SealedBlob[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const pack = buildPack(pending, keyring);
    await backend.put(KEYS.pack(pack.id), pack.bytes);
    keptPacks.push({ pack: pack.id, blobs: pack.entries });
    pending = [];
    pendingBytes = 0;
  };

  for (const [pack, blobs] of index.packs()) {
    const live = blobs.filter((b) => referenced.has(b.id) && !provided.has(b.id));
    for (const b of live) provided.add(b.id);
    if (live.length === blobs.length) {
      keptPacks.push({ pack, blobs: [...blobs] });
      continue;
    }
    toDelete.push(pack);
    blobsRemoved += blobs.length - live.length;
    bytesFreed += blobs.filter((b) => !live.includes(b)).reduce((sum, b) => sum + b.length, 0);
    if (live.length === 0) continue;
    repacked += 1;
    const bytes = await backend.get(KEYS.pack(pack));
    for (const b of live) {
      pending.push({ id: b.id, sealed: Buffer.from(bytes.subarray(b.offset, b.offset + b.length)), rawLength: b.rawLength, compression: b.compression });
      pendingBytes += b.length;
      if (pendingBytes >= repository.config.packTargetSize) await flush();
    }
  }
  await flush();
  if (toDelete.length === 0 && repacked === 0) return { packsKept: keptPacks.length, packsDeleted: 0, packsRepacked: 0, blobsRemoved: 0, bytesFreed: 0 };
  const newIndex = keptPacks.length > 0 ? await writeIndexFile(backend, keyring, keptPacks) : undefined;
  for (const file of oldIndexFiles) if (file !== newIndex) await backend.delete(file);
  for (const pack of toDelete) await backend.delete(KEYS.pack(pack));
  await repository.loadIndex(true);
  return { packsKept: keptPacks.length, packsDeleted: toDelete.length - repacked, packsRepacked: repacked, blobsRemoved, bytesFreed };
}
