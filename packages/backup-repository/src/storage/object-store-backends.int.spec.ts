import { randomUUID } from 'node:crypto';
import { startAzurite, startPostgres, startS3rver, type AzuriteHandle, type PostgresHandle, type S3Handle } from '@fleetplane/test-harness';
import { afterAll, beforeAll } from 'vitest';
import { AzureBlobBackend } from './azure-blob-backend.js';
import { backendConformance } from './backend-conformance.testing.js';
import { PostgresBackend } from './postgres-backend.js';
import { S3Backend } from './s3-backend.js';

// The same conformance suite as the local backend, against real servers on loopback: s3rver (S3 API),
// Azurite (Azure Blob API) and PostgreSQL. Each test gets a fresh bucket / container / table.
let s3: S3Handle;
let azurite: AzuriteHandle;
let postgres: PostgresHandle;
let postgresUrl: string;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  [s3, azurite, postgres] = await Promise.all([startS3rver(), startAzurite(), startPostgres()]);
  postgresUrl = await postgres.createDatabase('backup_storage');
});

afterAll(async () => {
  for (const close of closers) await close();
  await Promise.all([s3?.stop(), azurite?.stop(), postgres?.stop()]);
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
