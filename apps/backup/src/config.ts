import { z } from 'zod';
import { COMPRESSION_ALGORITHMS } from '@fleetplane/backup-repository';
import { loadConfig, natsServers, port, serviceEnv, url } from '@fleetplane/service-kit';

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
    /** The catalogue: jobs, policies, last success per source (this service's own database). */
    DATABASE_URL: url(['postgresql', 'postgres']),
    /** BullMQ: the job queue and the policies' schedulers. */
    REDIS_URL: url(['redis', 'rediss']),
    /** Progress events (`backup.updated`) and event triggers (`migration.starting`). */
    NATS_URL: natsServers(['nats']),
    /** How often a running job publishes its progress. */
    BACKUP_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    /** Attempts of a backup, verify or prune job that fails transiently (a database or storage away); restores run once. */
    BACKUP_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    /** First retry delay, doubled each attempt. */
    BACKUP_JOB_BACKOFF_MS: z.coerce.number().int().min(10).default(30_000),
    /**
     * A job's lock, renewed while it runs: when the service dies, its job is taken up again this
     * long after (by the stalled check every BACKUP_JOB_STALLED_INTERVAL_MS), once; a second crash fails it.
     */
    BACKUP_JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
    BACKUP_JOB_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
    /** How long CancelJob waits for a running job to stop before answering with it still RUNNING. */
    BACKUP_CANCEL_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(10_000),
    /** Where the repository lives; each backend reads its own variables below. */
    BACKUP_STORAGE: z.enum(['local', 's3', 'azure-blob', 'gcs', 'postgres']).default('local'),
    /** local: the repository's directory. */
    BACKUP_REPOSITORY_PATH: z.string().min(1).optional(),
    /** s3: bucket, key prefix, region, and for S3-compatible stores an endpoint with path-style addressing. Credentials: the AWS SDK's default chain (AWS_* variables, profile, instance role). */
    BACKUP_S3_BUCKET: z.string().min(1).optional(),
    BACKUP_S3_PREFIX: z.string().default(''),
    BACKUP_S3_REGION: z.string().min(1).default('us-east-1'),
    BACKUP_S3_ENDPOINT: url(['http', 'https']).optional(),
    BACKUP_S3_FORCE_PATH_STYLE: z.stringbool().default(false),
    /** azure-blob: a storage connection string and container. */
    BACKUP_AZURE_CONNECTION_STRING: z.string().min(1).optional(),
    BACKUP_AZURE_CONTAINER: z.string().min(1).optional(),
    BACKUP_AZURE_PREFIX: z.string().default(''),
    /**
     * gcs: bucket and object prefix; the project and credentials come from Application Default
     * Credentials (GOOGLE_APPLICATION_CREDENTIALS, the metadata server) unless BACKUP_GCS_PROJECT is set.
     * BACKUP_GCS_ENDPOINT: a private endpoint or an emulator (no credentials are sent to it).
     */
    BACKUP_GCS_BUCKET: z.string().min(1).optional(),
    BACKUP_GCS_PREFIX: z.string().default(''),
    BACKUP_GCS_PROJECT: z.string().min(1).optional(),
    BACKUP_GCS_ENDPOINT: url(['http', 'https']).optional(),
    /** postgres: the repository's own database (not a service's) and table. */
    BACKUP_DATABASE_URL: url(['postgresql', 'postgres']).optional(),
    BACKUP_DATABASE_TABLE: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .default('fleetplane_backup_objects'),
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
  .superRefine((c, ctx) => {
    const needs: Record<typeof c.BACKUP_STORAGE, Array<keyof typeof c>> = {
      local: ['BACKUP_REPOSITORY_PATH'],
      s3: ['BACKUP_S3_BUCKET'],
      'azure-blob': ['BACKUP_AZURE_CONNECTION_STRING', 'BACKUP_AZURE_CONTAINER'],
      gcs: ['BACKUP_GCS_BUCKET'],
      postgres: ['BACKUP_DATABASE_URL'],
    };
    for (const field of needs[c.BACKUP_STORAGE]) {
      if (c[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required when BACKUP_STORAGE=${c.BACKUP_STORAGE}` });
    }
  })
  .refine((c) => [c.BACKUP_PASSPHRASE, c.BACKUP_MASTER_KEY, c.BACKUP_MASTER_KEY_FILE].filter(Boolean).length === 1, {
    path: ['BACKUP_PASSPHRASE'],
    message: 'set exactly one of BACKUP_PASSPHRASE, BACKUP_MASTER_KEY, BACKUP_MASTER_KEY_FILE',
  });
export type BackupConfig = z.infer<typeof backupConfigSchema>;
export const loadBackupConfig = () => loadConfig(backupConfigSchema);
