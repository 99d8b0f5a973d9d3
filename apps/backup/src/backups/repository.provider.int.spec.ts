import { randomBytes } from 'node:crypto';
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
import { backupConfigSchema } from '../config.js';
import { openRepository } from './repository.provider.js';

// The service's storage configuration, end to end: each BACKUP_STORAGE against its real server
// (s3rver, Azurite, PostgreSQL on loopback; GCS against the harness's JSON API emulator, as no real
// one runs here): the repository is created on first open, holds a backup, and opens again with the same key.
let s3: S3Handle;
let azurite: AzuriteHandle;
let postgres: PostgresHandle;
let storageUrl: string;
let gcs: GcsEmulatorHandle;

beforeAll(async () => {
  [s3, azurite, postgres, gcs] = await Promise.all([startS3rver(), startAzurite(), startPostgres(), startGcsEmulator()]);
  storageUrl = await postgres.createDatabase('backup_repository');
  // The S3 backend takes credentials from the SDK's default chain, as in production.
  process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
});

afterAll(async () => {
  await Promise.all([s3?.stop(), azurite?.stop(), postgres?.stop(), gcs?.stop()]);
});

const base = {
  BACKUP_PASSPHRASE: 'provider test',
  BACKUP_SOURCES: '{}',
  BACKUP_RESTORE_URL: 'postgresql://postgres@127.0.0.1:1/postgres',
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/fleetplane_backup',
  REDIS_URL: 'redis://127.0.0.1:1',
  NATS_URL: 'nats://127.0.0.1:1',
};

it.each([
  [
    's3',
    () => ({
      BACKUP_STORAGE: 's3',
      BACKUP_S3_BUCKET: 'fleetplane-backups',
      BACKUP_S3_ENDPOINT: s3.url,
      BACKUP_S3_FORCE_PATH_STYLE: 'true',
      BACKUP_S3_PREFIX: 'prod',
    }),
  ],
  [
    'azure-blob',
    () => ({ BACKUP_STORAGE: 'azure-blob', BACKUP_AZURE_CONNECTION_STRING: azurite.connectionString, BACKUP_AZURE_CONTAINER: 'fleetplane-backups' }),
  ],
  [
    'gcs',
    () => ({
      BACKUP_STORAGE: 'gcs',
      BACKUP_GCS_BUCKET: 'fleetplane-backups',
      BACKUP_GCS_PREFIX: 'prod',
      BACKUP_GCS_PROJECT: 'fleetplane',
      BACKUP_GCS_ENDPOINT: gcs.url,
    }),
  ],
  ['postgres', () => ({ BACKUP_STORAGE: 'postgres', BACKUP_DATABASE_URL: storageUrl })],
])('BACKUP_STORAGE=%s: creates the repository, stores a backup, reopens it', async (_name, env) => {
  const config = backupConfigSchema.parse({ ...base, ...env() });
  const repository = await openRepository(config);
  const data = randomBytes(300_000);
  const writer = await repository.startBackup({ type: 'FULL' });
  await writer.addSource({ name: 'db', kind: 'bytes' }, [data]);
  const manifest = await writer.commit();
  const reopened = await openRepository(config);
  const parts: Buffer[] = [];
  for await (const part of reopened.restore(await reopened.readManifest(manifest.id), 'db')) parts.push(part);
  expect(Buffer.concat(parts).equals(data)).toBe(true);
  expect(reopened.config.id).toBe(repository.config.id);
});

it('names the variable a backend needs when it is missing', () => {
  const result = backupConfigSchema.safeParse({ ...base, BACKUP_STORAGE: 'azure-blob', BACKUP_AZURE_CONTAINER: 'x' });
  expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
    'BACKUP_AZURE_CONNECTION_STRING: required when BACKUP_STORAGE=azure-blob',
  ]);
  expect(backupConfigSchema.safeParse({ ...base }).error?.issues.map((i) => i.path.join('.'))).toEqual(['BACKUP_REPOSITORY_PATH']);
});
