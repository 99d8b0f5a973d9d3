/**
 * The repository format version, written into the config, every pack, index and manifest. A reader
 * refuses a version it does not know instead of guessing. Bump it, and describe the change in the
 * README's "Format" section, whenever a byte layout or a schema changes incompatibly.
 */
export const REPOSITORY_FORMAT_VERSION = 1;

export const PACK_MAGIC = Buffer.from('FPPACK01', 'ascii');

/** Object keys: everything the repository stores lives under one of these. */
export const KEYS = {
  config: 'config',
  keyring: 'keys/keyring',
  pack: (id: string) => `packs/${id.slice(0, 2)}/${id}`,
  index: (id: string) => `index/${id}`,
  manifest: (id: string) => `manifests/${id}`,
} as const;

/** Associated data per object kind: a sealed object only opens where it was written. */
export const AAD = {
  config: (repositoryId: string) => `fleetplane-backup/v1/${repositoryId}/config`,
  blob: (chunkId: string) => `fleetplane-backup/v1/blob/${chunkId}`,
  packHeader: 'fleetplane-backup/v1/pack-header',
  index: 'fleetplane-backup/v1/index',
  manifest: (backupId: string) => `fleetplane-backup/v1/manifest/${backupId}`,
} as const;
