import { createHash } from 'node:crypto';
import { chunkStream } from '../chunking/chunk-stream.js';
import { compress } from '../compression/compression.js';
import { writeIndexFile, type ChunkIndex } from '../format/chunk-index.js';
import { AAD, KEYS, REPOSITORY_FORMAT_VERSION } from '../format/format-version.js';
import { buildPack, type SealedBlob } from '../format/pack.js';
import type { BackupType, IndexFile, Manifest, SourceEntry } from '../format/schemas.js';
import { RepositoryConfigError } from '../errors.js';
import type { Repository } from './repository.js';

export interface SourceDescription {
  readonly name: string;
  readonly kind: string;
  readonly metadata?: Record<string, unknown>;
}

/** Running totals, for progress events and metrics. */
export interface BackupProgress {
  bytesRead: number;
  chunks: number;
  newChunks: number;
  newBytes: number;
  bytesStored: number;
}

interface WriterInit {
  readonly repository: Repository;
  readonly index: ChunkIndex;
  readonly id: string;
  readonly type: BackupType;
  readonly parent: Manifest | undefined;
  readonly tags: Record<string, string>;
  readonly parallelism: number;
}

/**
 * Writes one backup: sources are streamed through the chunker; each chunk is identified, and stored
 * unless the backup's dedup base already holds it. The dedup base is what makes the four types:
 *
 * - FULL: nothing but itself — every distinct chunk is written into this backup's own packs, so it
 *   is self-contained (its packs alone restore it) and depends on no other backup.
 * - INCREMENTAL: the chunks its parent references (and itself), so it stores only what changed since
 *   the parent; it depends on the parent and on what the parent depends on.
 * - DIFFERENTIAL: the chunks of its FULL, so it stores everything changed since that FULL, and depends
 *   on that FULL only.
 * - SNAPSHOT: every chunk in the repository; all sources captured together and restorable as one
 *   set, storing only chunks the repository lacks.
 *
 * Every manifest lists every chunk of every source, so restore needs no other manifest; the
 * `dependsOn` list says which backups' packs hold the chunks it did not store, for retention.
 *
 * Memory: the chunker's window (2 × maxSize), at most `parallelism` chunks in flight and one pack
 * being filled (≈ packTargetSize) — independent of how much is backed up.
 */
export class BackupWriter {
  readonly id: string;
  readonly progress: BackupProgress = { bytesRead: 0, chunks: 0, newChunks: 0, newBytes: 0, bytesStored: 0 };
  private readonly startedAt = new Date().toISOString();
  private readonly sources: SourceEntry[] = [];
  private readonly written = new Set<string>();
  /** Chunks held by the dedup base: id → the backup whose packs hold them (for dependsOn). */
  private readonly base: (id: string) => boolean;
  private readonly dependsOn = new Set<string>();
  private pending: SealedBlob[] = [];
  private pendingBytes = 0;
  private readonly packsWritten: IndexFile['packs'] = [];
  private committed = false;

  constructor(private readonly init: WriterInit) {
    this.id = init.id;
    const { type, parent, index } = init;
    if (type === 'FULL') this.base = () => false;
    else if (type === 'SNAPSHOT') this.base = (id) => index.has(id);
    else {
      const parentChunks = new Set(parent!.sources.flatMap((s) => s.chunks));
      this.base = (id) => parentChunks.has(id) && index.has(id);
      this.dependsOn.add(parent!.id);
      if (type === 'INCREMENTAL') for (const id of parent!.dependsOn) this.dependsOn.add(id);
    }
  }

  /**
   * Reads one source to its end. Sources are added one after another. An aborted `signal` stops the
   * read with its reason (checked per chunk); the caller then `discard`s the backup.
   */
  async addSource(source: SourceDescription, data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, signal?: AbortSignal): Promise<SourceEntry> {
    if (this.committed) throw new RepositoryConfigError('the backup is already committed');
    signal?.throwIfAborted();
    if (this.sources.some((s) => s.name === source.name)) throw new RepositoryConfigError(`source "${source.name}" is already in this backup`);
    const { repository, parallelism } = this.init;
    const keyring = repository.keyring;
    const compression = repository.config.compression;
    const hash = createHash('sha256');
    const chunks: string[] = [];
    let size = 0;
    const inFlight: Array<Promise<SealedBlob>> = [];
    const drainOne = async (): Promise<void> => this.addBlob(await inFlight.shift()!);

    for await (const chunk of chunkStream(data, repository.chunker())) {
      signal?.throwIfAborted();
      hash.update(chunk.data);
      size += chunk.data.length;
      this.progress.bytesRead += chunk.data.length;
      this.progress.chunks += 1;
      const id = keyring.chunkId(chunk.data);
      chunks.push(id);
      if (this.written.has(id) || this.base(id)) continue;
      this.written.add(id);
      this.progress.newChunks += 1;
      this.progress.newBytes += chunk.data.length;
      inFlight.push(
        compress(compression, chunk.data).then((compressed): SealedBlob => {
          // Stored raw (and flagged so) when compression does not make it smaller.
          const raw = compressed.length >= chunk.data.length || compression.algorithm === 'none';
          return {
            id,
            sealed: keyring.seal(raw ? chunk.data : compressed, AAD.blob(id)),
            rawLength: chunk.data.length,
            compression: raw ? 'none' : compression.algorithm,
          };
        }),
      );
      if (inFlight.length >= parallelism) await drainOne();
    }
    while (inFlight.length > 0) await drainOne();
    // A source cut short by the abort (its dump killed) must not be recorded as complete.
    signal?.throwIfAborted();
    const entry: SourceEntry = { name: source.name, kind: source.kind, metadata: source.metadata ?? {}, size, sha256: hash.digest('hex'), chunks };
    this.sources.push(entry);
    return entry;
  }

  /** Flushes the last pack, writes the index for this backup's packs, then the manifest. */
  async commit(): Promise<Manifest> {
    if (this.committed) throw new RepositoryConfigError('the backup is already committed');
    this.committed = true;
    await this.flushPack();
    const { repository, index, type, parent, tags } = this.init;
    if (this.packsWritten.length > 0) await writeIndexFile(repository.backend, repository.keyring, this.packsWritten);
    // Only now are this backup's chunks the repository's: a later backup may dedup against them.
    for (const { pack, blobs } of this.packsWritten) index.addPack(pack, blobs);
    if (type === 'SNAPSHOT') for (const id of await this.writersOfReusedChunks(index)) this.dependsOn.add(id);
    const manifest: Manifest = {
      version: REPOSITORY_FORMAT_VERSION,
      id: this.id,
      type,
      parent: parent?.id ?? null,
      dependsOn: [...this.dependsOn].sort(),
      startedAt: this.startedAt,
      completedAt: new Date().toISOString(),
      tags,
      sources: this.sources,
      packs: this.packsWritten.map((p) => p.pack),
      stats: { ...this.progress },
    };
    // The manifest last: a backup exists once its manifest does, and everything it names is stored by then.
    await repository.backend.put(KEYS.manifest(this.id), repository.keyring.seal(Buffer.from(JSON.stringify(manifest)), AAD.manifest(this.id)));
    return manifest;
  }

  /**
   * Gives up an uncommitted backup (failed or cancelled): deletes the packs it wrote. They were in no
   * index file and no manifest, so nothing ever saw them; deleting them only frees the space (a
   * crash before this leaves them unreferenced, which verify ignores and they cost only space).
   */
  async discard(): Promise<void> {
    if (this.committed) throw new RepositoryConfigError('the backup is already committed');
    this.committed = true;
    this.pending = [];
    this.pendingBytes = 0;
    for (const { pack } of this.packsWritten.splice(0)) await this.init.repository.backend.delete(KEYS.pack(pack));
  }

  private async addBlob(blob: SealedBlob): Promise<void> {
    this.pending.push(blob);
    this.pendingBytes += blob.sealed.length;
    if (this.pendingBytes >= this.init.repository.config.packTargetSize) await this.flushPack();
  }

  private async flushPack(): Promise<void> {
    if (this.pending.length === 0) return;
    const { repository } = this.init;
    const pack = buildPack(this.pending, repository.keyring);
    this.pending = [];
    this.pendingBytes = 0;
    await repository.backend.put(KEYS.pack(pack.id), pack.bytes);
    this.progress.bytesStored += pack.bytes.length;
    this.packsWritten.push({ pack: pack.id, blobs: pack.entries });
  }

  /** SNAPSHOT: the backups whose packs hold the chunks it reused (read from their manifests' pack lists). */
  private async writersOfReusedChunks(index: ChunkIndex): Promise<Set<string>> {
    const reusedPacks = new Set<string>();
    for (const source of this.sources) for (const id of source.chunks) if (!this.written.has(id)) reusedPacks.add(index.get(id)!.pack);
    const writers = new Set<string>();
    if (reusedPacks.size === 0) return writers;
    const { repository } = this.init;
    for (const backupId of await repository.listBackups()) {
      const other = await repository.readManifest(backupId);
      if (other.packs.some((p) => reusedPacks.has(p))) writers.add(other.id);
    }
    return writers;
  }
}
