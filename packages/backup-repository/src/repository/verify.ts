import { decompress } from '../compression/compression.js';
import { IntegrityError, NotFoundError } from '../errors.js';
import { AAD, KEYS } from '../format/format-version.js';
import { readPack } from '../format/pack.js';
import type { Repository } from './repository.js';

export interface VerifyOptions {
  /** Also read every pack (or `sample` percent of them) and authenticate every blob in it. */
  readonly readData?: boolean;
  /** 1-100: the share of packs read with `readData`; 100 by default. */
  readonly samplePercent?: number;
  /** Only these backups' manifests, and with readData only the packs holding their chunks (default: all). */
  readonly backups?: readonly string[];
  /** Stops the verify (with the signal's reason) between packs. */
  readonly signal?: AbortSignal;
}

export interface VerifyReport {
  readonly backups: number;
  readonly chunksReferenced: number;
  readonly packsChecked: number;
  readonly blobsChecked: number;
  readonly errors: string[];
}

/**
 * Structure: every manifest opens and parses, every chunk it lists is in the index, every pack the
 * index names exists. With readData: each (sampled) pack's checksum, header and every blob in it —
 * decrypted, decompressed and re-hashed against its id — and the header agrees with the index.
 * Errors are collected rather than thrown, so one report lists everything that is wrong.
 */
export async function verifyRepository(repository: Repository, options: VerifyOptions): Promise<VerifyReport> {
  const errors: string[] = [];
  const index = await repository.loadIndex(true).catch((error: unknown) => {
    errors.push(`index: ${(error as Error).message}`);
    return undefined;
  });
  if (!index) return { backups: 0, chunksReferenced: 0, packsChecked: 0, blobsChecked: 0, errors };
  const ids = options.backups ?? (await repository.listBackups());
  const referenced = new Set<string>();
  for (const id of ids) {
    try {
      const manifest = await repository.readManifest(id);
      for (const source of manifest.sources) {
        for (const chunk of source.chunks) {
          referenced.add(chunk);
          if (!index.has(chunk)) errors.push(`backup ${id} source ${source.name}: chunk ${chunk} is not in the index`);
        }
      }
    } catch (error) {
      errors.push(`backup ${id}: ${(error as Error).message}`);
    }
  }
  const packs = index.packs();
  for (const pack of packs.keys()) {
    if (!(await repository.backend.has(KEYS.pack(pack)))) errors.push(`pack ${pack} is missing`);
  }
  let packsChecked = 0;
  let blobsChecked = 0;
  if (options.readData) {
    const percent = options.samplePercent ?? 100;
    if (!(percent > 0 && percent <= 100)) throw new RangeError('samplePercent must be in (0, 100]');
    // With `backups`, only the packs holding their chunks; else every pack.
    const scope = options.backups ? new Set([...referenced].map((id) => index.get(id)?.pack).filter((p): p is string => p !== undefined)) : undefined;
    const chosen = [...packs.keys()].filter((p) => (!scope || scope.has(p)) && (percent === 100 || Math.random() * 100 < percent));
    for (const pack of chosen) {
      options.signal?.throwIfAborted();
      try {
        const bytes = await repository.backend.get(KEYS.pack(pack));
        const entries = readPack(pack, bytes, repository.keyring);
        const inHeader = new Map(entries.map((e) => [e.id, e]));
        for (const expected of packs.get(pack)!) {
          const found = inHeader.get(expected.id);
          if (!found || found.offset !== expected.offset || found.length !== expected.length)
            errors.push(`pack ${pack}: index entry for ${expected.id} disagrees with the pack header`);
        }
        for (const entry of entries) {
          try {
            const stored = repository.keyring.open(bytes.subarray(entry.offset, entry.offset + entry.length), AAD.blob(entry.id));
            const plaintext = await decompress(entry.compression, stored, repository.config.chunker.maxSize);
            if (plaintext.length !== entry.rawLength || repository.keyring.chunkId(plaintext) !== entry.id)
              throw new IntegrityError(`chunk ${entry.id} does not match its id`);
            blobsChecked += 1;
          } catch (error) {
            errors.push(`pack ${pack} blob ${entry.id}: ${(error as Error).message}`);
          }
        }
        packsChecked += 1;
      } catch (error) {
        if (error instanceof NotFoundError) continue; // already reported as missing
        errors.push(`pack ${pack}: ${(error as Error).message}`);
      }
    }
  }
  return { backups: ids.length, chunksReferenced: referenced.size, packsChecked, blobsChecked, errors };
}
