import { z } from 'zod';
import { COMPRESSION_ALGORITHMS } from '../compression/compression.js';
import { REPOSITORY_FORMAT_VERSION } from './format-version.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const version = z.literal(REPOSITORY_FORMAT_VERSION);

/** Per-repository settings, sealed in `config`. */
export const repositoryConfigSchema = z.object({
  version,
  id: z.string(),
  createdAt: z.string(),
  chunker: z.object({
    minSize: z.number().int(),
    avgSize: z.number().int(),
    maxSize: z.number().int(),
    normalization: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  }),
  compression: z.object({ algorithm: z.enum(COMPRESSION_ALGORITHMS), level: z.number().int().optional() }),
  packTargetSize: z.number().int().positive(),
});
export type RepositoryConfig = z.infer<typeof repositoryConfigSchema>;

/** One stored blob: a chunk, compressed (or raw when that was not smaller), then sealed. */
export const blobEntrySchema = z.object({
  id: hex64,
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
  /** The chunk's plaintext length. */
  rawLength: z.number().int().nonnegative(),
  /** How the sealed bytes are encoded: the repository's algorithm, or `none` when compression did not pay. */
  compression: z.enum(COMPRESSION_ALGORITHMS),
});
export type BlobEntry = z.infer<typeof blobEntrySchema>;

export const packHeaderSchema = z.object({ version, blobs: z.array(blobEntrySchema) });
export type PackHeader = z.infer<typeof packHeaderSchema>;

export const indexFileSchema = z.object({ version, packs: z.array(z.object({ pack: hex64, blobs: z.array(blobEntrySchema) })) });
export type IndexFile = z.infer<typeof indexFileSchema>;

export const BACKUP_TYPES = ['FULL', 'INCREMENTAL', 'DIFFERENTIAL', 'SNAPSHOT'] as const;
export type BackupType = (typeof BACKUP_TYPES)[number];

export const sourceEntrySchema = z.object({
  name: z.string().min(1),
  kind: z.string().min(1),
  /** Facts the source wants back at restore time (e.g. the dump format, row counts per table). */
  metadata: z.record(z.string(), z.unknown()),
  size: z.number().int().nonnegative(),
  sha256: hex64,
  chunks: z.array(hex64),
});
export type SourceEntry = z.infer<typeof sourceEntrySchema>;

export const manifestSchema = z.object({
  version,
  id: z.string(),
  type: z.enum(BACKUP_TYPES),
  /** INCREMENTAL: the backup it extends. DIFFERENTIAL: the FULL it is relative to. */
  parent: z.string().nullable(),
  /** Backups whose stored chunks this one references: what retention must keep alongside it. */
  dependsOn: z.array(z.string()),
  startedAt: z.string(),
  completedAt: z.string(),
  tags: z.record(z.string(), z.string()),
  sources: z.array(sourceEntrySchema),
  /** Packs this backup wrote (its new chunks). */
  packs: z.array(hex64),
  stats: z.object({
    bytesRead: z.number().int().nonnegative(),
    chunks: z.number().int().nonnegative(),
    newChunks: z.number().int().nonnegative(),
    /** Plaintext bytes of the new chunks. */
    newBytes: z.number().int().nonnegative(),
    /** Sealed bytes written into packs for the new chunks. */
    bytesStored: z.number().int().nonnegative(),
  }),
});
export type Manifest = z.infer<typeof manifestSchema>;
