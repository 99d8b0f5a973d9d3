import { readFileSync } from 'node:fs';
import { LocalBackend, NotFoundError, Repository, type MasterKeySource, type StorageBackend } from '@fleetplane/backup-repository';
import type { BackupConfig } from '../config.js';

export const REPOSITORY = Symbol('REPOSITORY');

export function masterKeyFrom(config: BackupConfig): MasterKeySource {
  if (config.BACKUP_PASSPHRASE) return { passphrase: config.BACKUP_PASSPHRASE };
  const encoded = config.BACKUP_MASTER_KEY ?? readFileSync(config.BACKUP_MASTER_KEY_FILE!, 'utf8').trim();
  return { key: Buffer.from(encoded, 'base64') };
}

/**
 * The configured storage backend. The cloud and database backends are imported only when chosen, so
 * a service on local storage never loads the AWS, Azure or Google SDKs. The bucket, container or table is
 * created when missing (an existing one is used as it is).
 */
export async function storageFrom(config: BackupConfig): Promise<StorageBackend> {
  switch (config.BACKUP_STORAGE) {
    case 'local':
      return new LocalBackend(config.BACKUP_REPOSITORY_PATH!);
    case 's3': {
      const { S3Backend } = await import('@fleetplane/backup-repository/s3');
      const backend = new S3Backend({
        bucket: config.BACKUP_S3_BUCKET!,
        prefix: config.BACKUP_S3_PREFIX,
        client: {
          region: config.BACKUP_S3_REGION,
          ...(config.BACKUP_S3_ENDPOINT ? { endpoint: config.BACKUP_S3_ENDPOINT } : {}),
          forcePathStyle: config.BACKUP_S3_FORCE_PATH_STYLE,
        },
      });
      await backend.ensureBucket();
      return backend;
    }
    case 'azure-blob': {
      const { AzureBlobBackend } = await import('@fleetplane/backup-repository/azure-blob');
      const backend = new AzureBlobBackend({
        connectionString: config.BACKUP_AZURE_CONNECTION_STRING!,
        container: config.BACKUP_AZURE_CONTAINER!,
        prefix: config.BACKUP_AZURE_PREFIX,
      });
      await backend.ensureContainer();
      return backend;
    }
    case 'gcs': {
      const { GcsBackend } = await import('@fleetplane/backup-repository/gcs');
      const backend = new GcsBackend({
        bucket: config.BACKUP_GCS_BUCKET!,
        prefix: config.BACKUP_GCS_PREFIX,
        client: {
          ...(config.BACKUP_GCS_PROJECT ? { projectId: config.BACKUP_GCS_PROJECT } : {}),
          ...(config.BACKUP_GCS_ENDPOINT ? { apiEndpoint: config.BACKUP_GCS_ENDPOINT } : {}),
        },
      });
      await backend.ensureBucket();
      return backend;
    }
    case 'postgres': {
      const { PostgresBackend } = await import('@fleetplane/backup-repository/postgres');
      const backend = new PostgresBackend({ connectionString: config.BACKUP_DATABASE_URL!, table: config.BACKUP_DATABASE_TABLE });
      await backend.ensureTable();
      return backend;
    }
  }
}

/** Opens the repository, creating it on the first start at an empty location. */
export async function openRepository(config: BackupConfig): Promise<Repository> {
  const backend = await storageFrom(config);
  const masterKey = masterKeyFrom(config);
  try {
    return await Repository.open(backend, masterKey);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return Repository.init(backend, { masterKey, compression: { algorithm: config.BACKUP_COMPRESSION, level: config.BACKUP_COMPRESSION_LEVEL } });
  }
}
