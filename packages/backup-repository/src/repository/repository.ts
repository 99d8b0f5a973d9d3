import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_CHUNKER_PARAMS, FastCdc, validateChunkerParams, type ChunkerParams } from '../chunking/fastcdc.js';
import { validateCompression, type CompressionOptions } from '../compression/compression.js';
import { assertCipherSuite, type CipherSuite } from '../crypto/cipher.js';
import { Keyring, keyringSchema } from '../crypto/keyring.js';
import { resolveMasterKey, type MasterKeySource } from '../crypto/master-key.js';
import { IntegrityError, NotFoundError, RepositoryConfigError } from '../errors.js';
import { ChunkIndex } from '../format/chunk-index.js';
import { AAD, KEYS, REPOSITORY_FORMAT_VERSION } from '../format/format-version.js';
import { manifestSchema, repositoryConfigSchema, type BackupType, type Manifest, type RepositoryConfig } from '../format/schemas.js';
import type { StorageBackend } from '../storage/storage-backend.js';
import { BackupWriter } from './backup-writer.js';
import { pruneRepository, type PruneReport } from './prune.js';
import { restoreSource } from './restore-source.js';
import { verifyRepository, type VerifyOptions, type VerifyReport } from './verify.js';

export interface InitOptions {
  readonly masterKey: MasterKeySource;
  readonly chunker?: ChunkerParams;
  readonly compression?: CompressionOptions;
  readonly cipher?: CipherSuite;
  /** Packs are flushed once they reach this size (default 16 MiB): bigger means fewer objects, more memory. */
  readonly packTargetSize?: number;
}

export interface StartBackupOptions {
  readonly type: BackupType;
  /** INCREMENTAL: the backup it extends; DIFFERENTIAL: its FULL. Required for those two, refused for the others. */
  readonly parent?: string;
  readonly tags?: Record<string, string>;
  /** Chunks compressed and sealed at once (libuv's pool does the work); default 4. */
  readonly parallelism?: number;
}

/**
 * A backup repository on one storage backend: open it with its master key, write backups, read them
 * back, verify. The layout and semantics are described, with the format version, in the README.
 */
export class Repository {
  private index: ChunkIndex | undefined;

  private constructor(
    readonly backend: StorageBackend,
    readonly keyring: Keyring,
    readonly config: RepositoryConfig,
  ) {}

  readonly chunker = (): FastCdc => new FastCdc(this.config.chunker);

  static async init(backend: StorageBackend, options: InitOptions): Promise<Repository> {
    if (await backend.has(KEYS.keyring)) throw new RepositoryConfigError('a repository already exists at this location');
    const chunker = { ...DEFAULT_CHUNKER_PARAMS, ...options.chunker };
    validateChunkerParams(chunker);
    const compression = options.compression ?? { algorithm: 'zstd' };
    validateCompression(compression);
    const cipher = options.cipher ?? 'aes-256-gcm';
    assertCipherSuite(cipher);
    const packTargetSize = options.packTargetSize ?? 16 * 1024 * 1024;
    if (!Number.isInteger(packTargetSize) || packTargetSize < 1) throw new RepositoryConfigError('packTargetSize must be a positive integer');
    const id = randomUUID();
    const keyring = Keyring.create(id, await resolveMasterKey(options.masterKey), cipher);
    const config: RepositoryConfig = {
      version: REPOSITORY_FORMAT_VERSION,
      id,
      createdAt: new Date().toISOString(),
      chunker: { minSize: chunker.minSize, avgSize: chunker.avgSize, maxSize: chunker.maxSize, normalization: chunker.normalization ?? 1 },
      compression,
      packTargetSize,
    };
    await backend.put(KEYS.config, keyring.seal(Buffer.from(JSON.stringify(config)), AAD.config(id)));
    // The keyring last: a repository exists once its keyring does.
    await backend.put(KEYS.keyring, Buffer.from(JSON.stringify(await keyring.toFile())));
    return new Repository(backend, keyring, config);
  }

  static async open(backend: StorageBackend, masterKey: MasterKeySource): Promise<Repository> {
    let raw: Buffer;
    try {
      raw = await backend.get(KEYS.keyring);
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError('no repository at this location (no keyring)');
      throw error;
    }
    const file = parseJson(keyringSchema, raw, 'keyring');
    if (file.version !== REPOSITORY_FORMAT_VERSION) throw new RepositoryConfigError(`repository format ${String(file.version)} is not supported`);
    const master = await resolveMasterKey(masterKey, file.master);
    let keyring: Keyring;
    try {
      keyring = await Keyring.open(file, master);
    } catch (error) {
      if (error instanceof IntegrityError && /authentication failed/.test(error.message))
        throw new RepositoryConfigError('wrong master key or passphrase for this repository');
      throw error;
    }
    const config = parseJson(repositoryConfigSchema, keyring.open(await backend.get(KEYS.config), AAD.config(file.repositoryId)), 'config');
    if (config.id !== file.repositoryId) throw new IntegrityError('config and keyring belong to different repositories');
    return new Repository(backend, keyring, config);
  }

  /** Re-wraps every data key under a new master key; no data is rewritten. The old key stops working. */
  async rotateMasterKey(next: MasterKeySource): Promise<void> {
    const rewrapped = this.keyring.rewrap(await resolveMasterKey(next));
    await this.backend.put(KEYS.keyring, Buffer.from(JSON.stringify(await rewrapped.toFile())));
    (this as { keyring: Keyring }).keyring = rewrapped;
  }

  /** Starts a new data key for new writes; everything sealed with older keys stays readable. */
  async startNewDataKey(): Promise<number> {
    const number = this.keyring.addDataKey();
    await this.backend.put(KEYS.keyring, Buffer.from(JSON.stringify(await this.keyring.toFile())));
    return number;
  }

  async loadIndex(reload = false): Promise<ChunkIndex> {
    if (!this.index || reload) this.index = await ChunkIndex.load(this.backend, this.keyring);
    return this.index;
  }

  async listBackups(): Promise<string[]> {
    const ids: string[] = [];
    for await (const { key } of this.backend.list('manifests/')) ids.push(key.slice('manifests/'.length));
    return ids.sort();
  }

  async readManifest(id: string): Promise<Manifest> {
    const sealed = await this.backend.get(KEYS.manifest(id));
    const manifest = parseJson(manifestSchema, this.keyring.open(sealed, AAD.manifest(id)), `manifest ${id}`);
    if (manifest.id !== id) throw new IntegrityError(`manifest ${id} names backup ${manifest.id}`);
    return manifest;
  }

  async startBackup(options: StartBackupOptions): Promise<BackupWriter> {
    const parallelism = options.parallelism ?? 4;
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 64) throw new RepositoryConfigError('parallelism must be an integer in [1, 64]');
    const needsParent = options.type === 'INCREMENTAL' || options.type === 'DIFFERENTIAL';
    if (needsParent !== (options.parent !== undefined)) {
      throw new RepositoryConfigError(needsParent ? `${options.type} needs a parent backup` : `${options.type} takes no parent backup`);
    }
    const index = await this.loadIndex();
    const parent = options.parent === undefined ? undefined : await this.readManifest(options.parent);
    if (options.type === 'DIFFERENTIAL' && parent?.type !== 'FULL') throw new RepositoryConfigError('a DIFFERENTIAL is relative to a FULL backup');
    return new BackupWriter({
      repository: this,
      index,
      id: newBackupId(),
      type: options.type,
      parent,
      tags: options.tags ?? {},
      parallelism,
    });
  }

  /** The bytes of one source of a backup, chunk by chunk, each authenticated before it is yielded. */
  restore(manifest: Manifest, sourceName: string): AsyncGenerator<Buffer> {
    const source = manifest.sources.find((s) => s.name === sourceName);
    if (!source) throw new NotFoundError(`backup ${manifest.id} has no source "${sourceName}"`);
    return restoreSource(this, source);
  }

  verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    return verifyRepository(this, options);
  }

  /** Deletes backups' manifests; their data goes at the next `prune`. Retention decides what to pass. */
  async forget(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.backend.delete(KEYS.manifest(id));
  }

  prune(): Promise<PruneReport> {
    return pruneRepository(this);
  }
}

/** Sortable by time, unique, and a valid object key. */
function newBackupId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '').toLowerCase();
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

function parseJson<T>(schema: z.ZodType<T>, raw: Buffer, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new IntegrityError(`${what} is not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new IntegrityError(`${what} does not parse: ${parsed.error.message}`);
  return parsed.data;
}
