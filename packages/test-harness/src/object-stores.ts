import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnChild } from './children.js';
import { OutputBuffer } from './output-buffer.js';
import { freePort } from './ports.js';
import { abortStart, makeServerHandle, OwnedDirs, type ServerHandle, type ServerOptions } from './server-handle.js';
import { makeTempDir } from './temp-dir.js';
import { waitUntilReady } from './wait.js';

// Both servers are npm packages (devDependencies here), run as their own node processes like the
// other servers, so a test talks to them over HTTP exactly as to the real services.
const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** Ready once it answers HTTP at all: both return an XML error for an unauthenticated GET /. */
async function answersHttp(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await response.arrayBuffer();
  return response.status > 0;
}

export interface S3Handle extends ServerHandle {
  /** s3rver accepts any credentials; these are what the docs use. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Starts s3rver (an S3 API on the filesystem) on 127.0.0.1; buckets are created by the client. */
export async function startS3rver(opts: ServerOptions = {}): Promise<S3Handle> {
  const port = opts.port ?? (await freePort());
  const owned = new OwnedDirs();
  const dataDir = opts.dataDir ?? owned.add(makeTempDir('s3rver'));
  mkdirSync(dataDir, { recursive: true });
  const output = new OutputBuffer(opts.logFile);
  const bin = join(packageDir('s3rver'), 'bin', 's3rver.js');
  const child = spawnChild(process.execPath, [bin, '--address', '127.0.0.1', '--port', String(port), '--directory', dataDir, '--silent'], {}, output);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`s3rver on port ${port}`, child, () => answersHttp(url));
  } catch (err) {
    await abortStart(child, owned);
    throw err;
  }
  return { ...makeServerHandle(child, url, port, owned), accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
}

export interface AzuriteHandle extends ServerHandle {
  /** A connection string for the emulator's well-known development account. */
  readonly connectionString: string;
}

// Azurite's published development account (not a secret: it is in Microsoft's documentation).
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Starts Azurite's Blob service on 127.0.0.1. */
export async function startAzurite(opts: ServerOptions = {}): Promise<AzuriteHandle> {
  const port = opts.port ?? (await freePort());
  const owned = new OwnedDirs();
  const dataDir = opts.dataDir ?? owned.add(makeTempDir('azurite'));
  mkdirSync(dataDir, { recursive: true });
  const output = new OutputBuffer(opts.logFile);
  const bin = join(packageDir('azurite'), 'dist', 'src', 'blob', 'main.js');
  const args = [
    bin,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(port),
    '--location',
    dataDir,
    '--silent',
    '--skipApiVersionCheck',
    '--disableProductStyleUrl',
  ];
  const child = spawnChild(process.execPath, args, {}, output);
  const url = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  try {
    await waitUntilReady(`azurite on port ${port}`, child, () => answersHttp(`${url}?comp=list`));
  } catch (err) {
    await abortStart(child, owned);
    throw err;
  }
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=${url};`;
  return { ...makeServerHandle(child, url, port, owned), connectionString };
}
