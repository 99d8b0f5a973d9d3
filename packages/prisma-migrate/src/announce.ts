import { connect, type NatsConnection } from '@nats-io/transport-node';
import { eventSchemas, migrationStartingReplySchema, subjects, type EventPayload } from '@fleetplane/contracts';

export interface AnnounceOptions {
  natsUrl: string;
  /** The service whose database is migrated (the event's `service`). */
  service: string;
  /** The pending migrations, in order. */
  migrations: string[];
  /** How long to wait for the backups the announcement queued; 0 = announce and go on. */
  waitSeconds: number;
  /** Refuse to migrate when no backup service answers (else a warning, and the migration goes on). */
  requireBackup: boolean;
  log: (line: string) => void;
  /** How long the backup service has to answer the announcement. */
  answerTimeoutMs?: number;
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Announces a migration before it runs: `migration.starting` as a NATS request, answered by a
 * backup instance with the jobs its triggered policies queued; then, unless `waitSeconds` is 0,
 * waits for each to end on `backup.updated`. A backup that fails (or is cancelled), or that does
 * not end in time, stops the migration: the point of the trigger is a backup to go back to.
 */
export async function announceMigration(o: AnnounceOptions): Promise<{ jobIds: string[] }> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: o.natsUrl, name: `fleetplane-migrate ${o.service}`, timeout: o.answerTimeoutMs ?? 10_000 });
  } catch (err) {
    noAnswer(o, `cannot reach NATS at ${o.natsUrl}: ${(err as Error).message}`);
    return { jobIds: [] };
  }
  try {
    // Subscribed (and flushed) before the request, so no update of a job it queues is missed.
    const updates = nc.subscribe(subjects.event('backup.updated'));
    let timer: NodeJS.Timeout | undefined;
    try {
      await nc.flush();
      const jobIds = await ask(nc, o);
      if (jobIds === undefined || jobIds.length === 0 || o.waitSeconds === 0) return { jobIds: jobIds ?? [] };
      o.log(`waiting up to ${o.waitSeconds} s for ${jobIds.length} backup job(s) before migrating: ${jobIds.join(', ')}`);
      const open = new Set(jobIds);
      timer = setTimeout(() => updates.unsubscribe(), o.waitSeconds * 1_000);
      for await (const msg of updates) {
        const parsed = eventSchemas['backup.updated'].safeParse(msg.json());
        if (!parsed.success || !open.has(parsed.data.jobId) || !FINAL.has(parsed.data.state)) continue;
        const job: EventPayload<'backup.updated'> = parsed.data;
        if (job.state !== 'SUCCEEDED') throw new Error(`backup job ${job.jobId} ${job.state}${job.error ? `: ${job.error}` : ''}; not migrating`);
        o.log(`backup job ${job.jobId} succeeded${job.backupId ? ` (backup ${job.backupId})` : ''}`);
        open.delete(job.jobId);
        if (open.size === 0) return { jobIds };
      }
      throw new Error(`backup job(s) ${[...open].join(', ')} did not end within ${o.waitSeconds} s; not migrating (MIGRATE_BACKUP_WAIT_SECONDS)`);
    } finally {
      clearTimeout(timer);
      updates.unsubscribe();
    }
  } finally {
    await nc.drain().catch(() => nc.close());
  }
}

/** The jobs queued for the announcement; undefined when no backup service answered (and that is allowed). */
async function ask(nc: NatsConnection, o: AnnounceOptions): Promise<string[] | undefined> {
  const event: EventPayload<'migration.starting'> = { service: o.service, migrations: o.migrations, at: new Date().toISOString() };
  try {
    const reply = await nc.request(subjects.event('migration.starting'), JSON.stringify(event), { timeout: o.answerTimeoutMs ?? 10_000 });
    const { jobIds } = migrationStartingReplySchema.parse(reply.json());
    o.log(`announced migration.starting for ${o.service} (${o.migrations.length} migration(s)); backup queued ${jobIds.length} job(s)`);
    return jobIds;
  } catch (err) {
    noAnswer(o, (err as Error).message);
    return undefined;
  }
}

/** Nobody to take the backup: refused under requireBackup, else a warning and the migration goes on. */
function noAnswer(o: AnnounceOptions, why: string): void {
  if (o.requireBackup) throw new Error(`no backup service answered migration.starting (${why}); not migrating (MIGRATE_REQUIRE_BACKUP)`);
  o.log(`warning: no backup service answered migration.starting (${why}); migrating without a backup`);
}
