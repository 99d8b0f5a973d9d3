// The cloud and database backends are subpath exports (`/s3`, `/azure-blob`, `/gcs`, `/postgres`), so a
// process that uses none of them never loads the AWS, Azure or Google SDKs.
export { chunkStream, type Chunk } from './chunking/chunk-stream.js';
export { DEFAULT_CHUNKER_PARAMS, FastCdc, validateChunkerParams, type ChunkerParams } from './chunking/fastcdc.js';
export { COMPRESSION_ALGORITHMS, type CompressionAlgorithm, type CompressionOptions } from './compression/compression.js';
export { CIPHER_SUITES, type CipherSuite } from './crypto/cipher.js';
export { LocalKms, type Kms, type MasterKeySource } from './crypto/master-key.js';
export { IntegrityError, NotFoundError, RepositoryConfigError } from './errors.js';
export { REPOSITORY_FORMAT_VERSION } from './format/format-version.js';
export { BACKUP_TYPES, type BackupType, type Manifest, type SourceEntry } from './format/schemas.js';
export type { BackupProgress, BackupWriter, SourceDescription } from './repository/backup-writer.js';
export { Repository, type InitOptions, type StartBackupOptions } from './repository/repository.js';
export type { PruneReport } from './repository/prune.js';
export { applyRetention, retentionPolicySchema, type RetentionCandidate, type RetentionDecision, type RetentionPolicy } from './repository/retention.js';
export type { VerifyOptions, VerifyReport } from './repository/verify.js';
export { LocalBackend } from './storage/local-backend.js';
export { MemoryBackend } from './storage/memory-backend.js';
export type { StorageBackend } from './storage/storage-backend.js';
