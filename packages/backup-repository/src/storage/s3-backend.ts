import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { NotFoundError } from '../errors.js';
import { assertObjectKey, type StorageBackend } from './storage-backend.js';

export interface S3BackendOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket ("" for the bucket root); several repositories can share a bucket. */
  readonly prefix?: string;
  /** The S3 client's settings: region, credentials, endpoint (+ forcePathStyle for S3-compatible stores). */
  readonly client: S3ClientConfig;
  /** Objects above this go up as a multipart upload, in parts of this size (S3's minimum part is 5 MiB). */
  readonly multipartPartSize?: number;
}

const DEFAULT_PART = 8 * 1024 * 1024;

/**
 * Amazon S3 or an S3-compatible store. Transient errors (throttling, 5xx, resets) are retried by the
 * SDK's standard retry strategy with exponential backoff and jitter (5 attempts); large packs go up
 * as multipart uploads, aborted on failure so no orphan parts are billed.
 */
export class S3Backend implements StorageBackend {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly prefix: string;
  private readonly partSize: number;

  constructor(private readonly options: S3BackendOptions) {
    this.client = new S3Client({
      maxAttempts: 5,
      retryMode: 'standard',
      // Content is already authenticated by the repository; the default CRC trailers are not
      // understood by every S3-compatible store.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...options.client,
    });
    this.prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : '';
    this.partSize = options.multipartPartSize ?? DEFAULT_PART;
    if (this.partSize < 5 * 1024 * 1024) throw new RangeError('multipartPartSize must be at least 5 MiB (the S3 minimum)');
  }

  /** Creates the bucket if it is missing (for tests and first set-up; production buckets are usually provisioned). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.options.bucket }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    }
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const Key = this.key(key);
    const Bucket = this.options.bucket;
    if (data.length <= this.partSize) {
      await this.client.send(new PutObjectCommand({ Bucket, Key, Body: data, ContentLength: data.length }));
      return;
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    try {
      const parts: Array<{ ETag: string; PartNumber: number }> = [];
      for (let offset = 0, PartNumber = 1; offset < data.length; offset += this.partSize, PartNumber++) {
        const Body = data.subarray(offset, offset + this.partSize);
        const { ETag } = await this.client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, ContentLength: Body.length }));
        parts.push({ ETag: ETag!, PartNumber });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (error) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string, range?: { offset: number; length: number }): Promise<Buffer> {
    if (range?.length === 0) return Buffer.alloc(0);
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.key(key),
          Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined,
        }),
      );
      const body = Buffer.from(await response.Body!.transformToByteArray());
      if (range && body.length !== range.length) throw new NotFoundError(`object ${key} has no bytes [${range.offset}, ${range.offset + range.length})`);
      return body;
    } catch (error) {
      throw missing(error) ? new NotFoundError(`object ${key} does not exist`) : error;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
      return true;
    } catch (error) {
      if (missing(error)) return false;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.prefix + prefix, ContinuationToken }));
      for (const object of page.Contents ?? []) yield { key: object.Key!.slice(this.prefix.length), size: object.Size ?? 0 };
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
  }

  destroy(): void {
    this.client.destroy();
  }

  private key(key: string): string {
    assertObjectKey(key);
    return this.prefix + key;
  }
}

function missing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
