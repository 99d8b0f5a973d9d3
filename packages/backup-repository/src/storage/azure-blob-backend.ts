import { BlobServiceClient, StorageRetryPolicyType, type ContainerClient } from '@azure/storage-blob';
import { NotFoundError } from '../errors.js';
import { assertObjectKey, type StorageBackend } from './storage-backend.js';

export interface AzureBlobBackendOptions {
  readonly connectionString: string;
  readonly container: string;
  /** Blob name prefix inside the container ("" for its root). */
  readonly prefix?: string;
  /** Objects above this are uploaded as staged blocks of this size, a few at once. */
  readonly blockSize?: number;
}

const DEFAULT_BLOCK = 8 * 1024 * 1024;

/**
 * Azure Blob Storage (block blobs). The SDK's pipeline retries transient failures with exponential
 * backoff (5 tries); objects larger than one block are uploaded as staged blocks and committed at
 * once, so a reader never sees a partial blob.
 */
export class AzureBlobBackend implements StorageBackend {
  readonly kind = 'azure-blob';
  private readonly container: ContainerClient;
  private readonly prefix: string;
  private readonly blockSize: number;

  constructor(options: AzureBlobBackendOptions) {
    const service = BlobServiceClient.fromConnectionString(options.connectionString, {
      retryOptions: { maxTries: 5, retryPolicyType: StorageRetryPolicyType.EXPONENTIAL, retryDelayInMs: 200, maxRetryDelayInMs: 5_000 },
    });
    this.container = service.getContainerClient(options.container);
    this.prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : '';
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK;
  }

  async ensureContainer(): Promise<void> {
    await this.container.createIfNotExists();
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    await this.container.getBlockBlobClient(this.key(key)).uploadData(data, { blockSize: this.blockSize, maxSingleShotSize: this.blockSize, concurrency: 2 });
  }

  async get(key: string, range?: { offset: number; length: number }): Promise<Buffer> {
    if (range?.length === 0) return Buffer.alloc(0);
    try {
      const blob = this.container.getBlobClient(this.key(key));
      const body = range ? await blob.downloadToBuffer(range.offset, range.length) : await blob.downloadToBuffer();
      if (range && body.length !== range.length) throw new NotFoundError(`object ${key} has no bytes [${range.offset}, ${range.offset + range.length})`);
      return body;
    } catch (error) {
      throw missing(error) ? new NotFoundError(`object ${key} does not exist`) : error;
    }
  }

  has(key: string): Promise<boolean> {
    return this.container.getBlobClient(this.key(key)).exists();
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    for await (const blob of this.container.listBlobsFlat({ prefix: this.prefix + prefix })) {
      yield { key: blob.name.slice(this.prefix.length), size: blob.properties.contentLength ?? 0 };
    }
  }

  async delete(key: string): Promise<void> {
    await this.container.getBlobClient(this.key(key)).deleteIfExists();
  }

  private key(key: string): string {
    assertObjectKey(key);
    return this.prefix + key;
  }
}

function missing(error: unknown): boolean {
  const e = error as { statusCode?: number; code?: string };
  return e.statusCode === 404 || e.code === 'BlobNotFound';
}
