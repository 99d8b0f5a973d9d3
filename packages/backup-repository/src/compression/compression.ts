import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { RepositoryConfigError } from '../errors.js';

/**
 * Chunk compression, chosen per repository. All three run on Node's zlib (zstd since Node 23.8/22.15),
 * asynchronously, on libuv's thread pool — which is what lets several chunks compress in parallel.
 */
export const COMPRESSION_ALGORITHMS = ['none', 'gzip', 'brotli', 'zstd'] as const;
export type CompressionAlgorithm = (typeof COMPRESSION_ALGORITHMS)[number];

export interface CompressionOptions {
  readonly algorithm: CompressionAlgorithm;
  /** gzip 1-9, brotli 0-11, zstd 1-22; the algorithm's default when absent. */
  readonly level?: number;
}

const LEVELS: Record<Exclude<CompressionAlgorithm, 'none'>, [number, number, number]> = {
  gzip: [1, 9, 6],
  brotli: [0, 11, 5],
  zstd: [1, 22, 3],
};

export function validateCompression(options: CompressionOptions): void {
  if (!(COMPRESSION_ALGORITHMS as readonly string[]).includes(options.algorithm)) {
    throw new RepositoryConfigError(`compression algorithm "${options.algorithm}" is not one of ${COMPRESSION_ALGORITHMS.join(', ')}`);
  }
  if (options.algorithm === 'none' || options.level === undefined) return;
  const [min, max] = LEVELS[options.algorithm];
  if (!Number.isInteger(options.level) || options.level < min || options.level > max) {
    throw new RepositoryConfigError(`compression level for ${options.algorithm} must be an integer in [${min}, ${max}], got ${options.level}`);
  }
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const brotli = promisify(zlib.brotliCompress);
const unbrotli = promisify(zlib.brotliDecompress);
const zstd = promisify(zlib.zstdCompress);
const unzstd = promisify(zlib.zstdDecompress);

export async function compress(options: CompressionOptions, data: Buffer): Promise<Buffer> {
  switch (options.algorithm) {
    case 'none':
      return data;
    case 'gzip':
      return gzip(data, { level: options.level ?? LEVELS.gzip[2] });
    case 'brotli':
      return brotli(data, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: options.level ?? LEVELS.brotli[2], [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      });
    case 'zstd':
      return zstd(data, { params: { [zlib.constants.ZSTD_c_compressionLevel]: options.level ?? LEVELS.zstd[2] } });
  }
}

/** `maxLength` guards against a decompression bomb: a chunk never exceeds the chunker's maxSize. */
export async function decompress(algorithm: CompressionAlgorithm, data: Buffer, maxLength: number): Promise<Buffer> {
  switch (algorithm) {
    case 'none':
      return data;
    case 'gzip':
      return gunzip(data, { maxOutputLength: maxLength });
    case 'brotli':
      return unbrotli(data, { maxOutputLength: maxLength });
    case 'zstd':
      return unzstd(data, { maxOutputLength: maxLength });
  }
}
