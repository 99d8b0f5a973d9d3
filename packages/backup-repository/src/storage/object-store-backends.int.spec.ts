import { randomUUID } from 'node:crypto';
import {
  startAzurite,
  startGcsEmulator,
  startPostgres,
  startS3rver,
  type AzuriteHandle,
  type GcsEmulatorHandle,
  type PostgresHandle,
  type S3Handle,
} from '@fleetplane/test-harness';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AzureBlobBackend } from './azure-blob-backend.js';
import { backendConformance } from './backend-conformance.testing.js';
import { GcsBackend } from './gcs-backend.js';
import { PostgresBackend } from './postgres-backend.js';
import { S3Backend } from './s3-backend.js';

// The same conformance suite as the local backend, against real servers on loopback: s3rver (S3 API),
// Azurite (Azure Blob API) and PostgreSQL; and GCS against the harness's minimal emulator of the
// JSON API calls the SDK makes (no real GCS emulator runs here: see the package README). Each test
// gets a fresh bucket / container / table.
let s3: S3Handle;
let azurite: AzuriteHandle;
let postgres: PostgresHandle;
let postgresUrl: string;
let gcs: GcsEmulatorHandle;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  [s3, azurite, postgres, gcs] = await Promise.all([startS3rver(), startAzurite(), startPostgres(), startGcsEmulator()]);
  postgresUrl = await postgres.createDatabase('backup_storage');
});

afterAll(async () => {
  for (const close of closers) await close();
  await Promise.all([s3?.stop(), azurite?.stop(), postgres?.stop(), gcs?.stop()]);
});

const fresh = () => `t${randomUUID().replace(/-/g, '').slice(0, 20)}`;

backendConformance('S3 (s3rver)', async () => {
  const backend = new S3Backend({
    bucket: fresh(),
    prefix: 'repo',
    client: { endpoint: s3.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
  });
  closers.push(() => backend.destroy());
  await backend.ensureBucket();
  return backend;
});

backendConformance('Azure Blob (azurite)', async () => {
  const backend = new AzureBlobBackend({ connectionString: azurite.connectionString, container: fresh(), prefix: 'repo' });
  await backend.ensureContainer();
  return backend;
});

backendConformance('PostgreSQL (bytea table)', async () => {
  const backend = new PostgresBackend({ connectionString: postgresUrl, table: fresh() });
  closers.push(() => backend.close());
  await backend.ensureTable();
  return backend;
});

const gcsBackend = async () => {
  const backend = new GcsBackend({ bucket: fresh(), prefix: 'repo', client: { apiEndpoint: gcs.url, projectId: 'fleetplane-test' } });
  await backend.ensureBucket();
  return backend;
};

backendConformance('GCS (JSON API emulator)', gcsBackend);

it('GCS: rides out transient 503s on upload (the SDK retries) and download (the backend retries, no uncaught SDK error), and creating an existing bucket is not an error', async () => {
  const backend = await gcsBackend();
  await backend.ensureBucket();
  gcs.failNext(2, 503);
  await backend.put('packs/aa/retried', Buffer.from('kept'));
  gcs.failNext(2, 503);
  expect((await backend.get('packs/aa/retried')).toString()).toBe('kept');
  // Only the calls the emulator claims to emulate were made.
  expect(new Set(gcs.requests.map((r) => r.replace(/\/b\/[^/]+/, '/b/B').replace(/\/o\/.+$/, '/o/O')))).toEqual(
    new Set(['POST /storage/v1/b', 'POST /upload/storage/v1/b/B/o', 'GET /storage/v1/b/B/o/O', 'GET /storage/v1/b/B/o', 'DELETE /storage/v1/b/B/o/O']),
  );
});
