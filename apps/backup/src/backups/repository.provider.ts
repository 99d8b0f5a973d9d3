import { readFileSync } from 'node:fs';
import { LocalBackend, NotFoundError, Repository, type MasterKeySource } from '@fleetplane/backup-repository';
import type { BackupConfig } from '../config.js';

export const REPOSITORY = Symbol('REPOSITORY');

export function masterKeyFrom(config: BackupConfig): MasterKeySource {
  if (config.BACKUP_PASSPHRASE) return { passphrase: config.BACKUP_PASSPHRASE };
  const encoded = config.BACKUP_MASTER_KEY ?? readFileSync(config.BACKUP_MASTER_KEY_FILE!, 'utf8').trim();
  return { key: Buffer.from(encoded, 'base64') };
}

/** Opens the repository, creating it on the first start at an empty location. */
export async function openRepository(config: BackupConfig): Promise<Repository> {
  const backend = new LocalBackend(config.BACKUP_REPOSITORY_PATH);
  const masterKey = masterKeyFrom(config);
  try {
    return await Repository.open(backend, masterKey);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return Repository.init(backend, { masterKey, compression: { algorithm: config.BACKUP_COMPRESSION, level: config.BACKUP_COMPRESSION_LEVEL } });
  }
}
