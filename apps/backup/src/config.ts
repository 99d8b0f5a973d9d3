import { z } from 'zod';
import { COMPRESSION_ALGORITHMS } from '@fleetplane/backup-repository';
import { loadConfig, port, serviceEnv, url } from '@fleetplane/service-kit';

/** `{"gateway": "postgresql://backup_reader@…/gateway", …}`: the databases a backup may cover, by name. */
const sourcesJson = z.string().transform((text, ctx) => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of source name → postgresql:// URL' });
    return z.NEVER;
  }
  const parsed = z
    .record(z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'source names are lower-case identifiers'), url(['postgresql', 'postgres']))
    .safeParse(value);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    return z.NEVER;
  }
  return parsed.data;
});

export const backupConfigSchema = z
  .object({
    ...serviceEnv,
    HTTP_PORT: port(4500),
    GRPC_PORT: port(5500),
    /** The repository: a directory (the local backend). */
    BACKUP_REPOSITORY_PATH: z.string().min(1),
    /** The master key: a passphrase, or a base64 32-byte key (inline or in a file). Exactly one. */
    BACKUP_PASSPHRASE: z.string().min(1).optional(),
    BACKUP_MASTER_KEY: z.string().min(1).optional(),
    BACKUP_MASTER_KEY_FILE: z.string().min(1).optional(),
    /** Used when the service creates the repository (first start on an empty location). */
    BACKUP_COMPRESSION: z.enum(COMPRESSION_ALGORITHMS).default('zstd'),
    BACKUP_COMPRESSION_LEVEL: z.coerce.number().int().optional(),
    BACKUP_SOURCES: sourcesJson,
    /** A role that may CREATE DATABASE, for restores (restores never write into an existing database). */
    BACKUP_RESTORE_URL: url(['postgresql', 'postgres']),
  })
  .refine((c) => [c.BACKUP_PASSPHRASE, c.BACKUP_MASTER_KEY, c.BACKUP_MASTER_KEY_FILE].filter(Boolean).length === 1, {
    path: ['BACKUP_PASSPHRASE'],
    message: 'set exactly one of BACKUP_PASSPHRASE, BACKUP_MASTER_KEY, BACKUP_MASTER_KEY_FILE',
  });
export type BackupConfig = z.infer<typeof backupConfigSchema>;
export const loadBackupConfig = () => loadConfig(backupConfigSchema);
