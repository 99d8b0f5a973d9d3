import { IdempotencyStrategy, Storage, type Bucket, type StorageOptions } from '@google-cloud/storage';
import { NotFoundError } from '../errors.js';
import { assertObjectKey, type StorageBackend } from './storage-backend.js';

export interface GcsBackendOptions {
  readonly bucket: string;
  /** Object name prefix inside the bucket ("" for its root). */
  readonly prefix?: string;
  /**
   * The client's settings: `projectId`, credentials (`keyFilename`, `credentials`; else Application
   * Default Credentials), `apiEndpoint` for a private endpoint or an emulator (no authentication is
   * sent to a custom endpoint unless `useAuthWithCustomEndpoint`).
   */
  readonly client?: StorageOptions;
}

/**
 * Google Cloud Storage over its JSON API (`@google-cloud/storage`). Every object the repository
 * writes is immutable and bounded (a pack is a few chunk sizes), so each goes up in one request
 * (`uploadType=multipart`: metadata and media together) rather than a resumable session: a failed
 * upload is simply sent again. The SDK retries transient failures (429, 5xx, resets) with
 * exponential backoff, 5 times; uploads included (`RetryAlways`: rewriting an object with the same
 * bytes is harmless, and the keyring, the one object overwritten, is replaced whole). Downloads are
 * not checksummed by the SDK: the repository authenticates every byte it reads.
 *
 * Downloads are retried here, not by the SDK: its stream-mode retry destroys the discarded
 * response's stream, and teeny-request then pipes into it and throws an uncaught
 * ERR_STREAM_UNABLE_TO_PIPE (googleapis/google-cloud-node#8670, open) — a transient 503 on a read
 * would take the whole service down. So reads go through a client with the SDK's retries off,
 * and `withRetries` tries again the same way (429, 5xx, connection errors; 5 tries, exponential).
 */
export class GcsBackend implements StorageBackend {
  readonly kind = 'gcs';
  private readonly bucket: Bucket;
  /** The same bucket through a client that never retries: downloads (see above). */
  private readonly readBucket: Bucket;
  private readonly prefix: string;

  constructor(options: GcsBackendOptions) {
    const retryOptions = { autoRetry: true, maxRetries: 5, retryDelayMultiplier: 2, maxRetryDelay: 5, idempotencyStrategy: IdempotencyStrategy.RetryAlways };
    this.bucket = new Storage({ ...options.client, retryOptions }).bucket(options.bucket);
    this.readBucket = new Storage({ ...options.client, retryOptions: { ...retryOptions, autoRetry: false, maxRetries: 0 } }).bucket(options.bucket);
    this.prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : '';
  }

  /** Creates the bucket if it is missing (for tests and first set-up; production buckets are usually provisioned). */
  async ensureBucket(): Promise<void> {
    try {
      await this.bucket.create();
    } catch (error) {
      if (status(error) !== 409) throw error;
    }
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    await this.bucket.file(this.name(key)).save(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
      resumable: false,
      validation: false,
      contentType: 'application/octet-stream',
    });
  }

  async get(key: string, range?: { offset: number; length: number }): Promise<Buffer> {
    if (range?.length === 0) return Buffer.alloc(0);
    try {
      const file = this.readBucket.file(this.name(key));
      const [body] = await withRetries(() =>
        file.download({ validation: false, ...(range ? { start: range.offset, end: range.offset + range.length - 1 } : {}) }),
      );
      if (range && body.length !== range.length) throw new NotFoundError(`object ${key} has no bytes [${range.offset}, ${range.offset + range.length})`);
      return body;
    } catch (error) {
      if (status(error) === 404) throw new NotFoundError(`object ${key} does not exist`);
      if (status(error) === 416 && range) throw new NotFoundError(`object ${key} has no bytes [${range.offset}, ${range.offset + range.length})`);
      throw error;
    }
  }

  async has(key: string): Promise<boolean> {
    const [exists] = await this.bucket.file(this.name(key)).exists();
    return exists;
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    let pageToken: string | undefined;
    do {
      const [files, next] = await this.bucket.getFiles({
        prefix: this.prefix + prefix,
        autoPaginate: false,
        maxResults: 1_000,
        ...(pageToken ? { pageToken } : {}),
      });
      for (const file of files) yield { key: file.name.slice(this.prefix.length), size: Number(file.metadata.size ?? 0) };
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
  }

  async delete(key: string): Promise<void> {
    await this.bucket.file(this.name(key)).delete({ ignoreNotFound: true });
  }

  private name(key: string): string {
    assertObjectKey(key);
    return this.prefix + key;
  }
}

const TRIES = 5;

/** Tries `fn` up to TRIES times while it fails transiently: 429, 5xx or no HTTP answer at all; 0.2 s, 0.4 s, … between. */
async function withRetries<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = status(error);
      // No HTTP status (a reset, a refused connection: `code` is then absent or a string like ECONNRESET).
      const transient = typeof code !== 'number' || code === 429 || code >= 500;
      if (!transient || attempt >= TRIES) throw error;
      await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
    }
  }
}

function status(error: unknown): number | string | undefined {
  return (error as { code?: number | string }).code;
}
