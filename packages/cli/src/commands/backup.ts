import type { DocBody } from '../api/document.js';
import type { Context } from '../context.js';
import { CliError, EXIT_CLI, EXIT_OK, UsageError } from '../errors.js';
import { renderFields, renderTable } from '../output/table.js';
import { BACKUP_TYPES, FINAL_JOB_STATES, type Backup, type BackupJob, type BackupPolicy } from './backup-schemas.js';
import type { Writer } from './results.js';

const POLL_MS = 500;
/** A backup may take hours: the wait ends when the job does; Ctrl-C leaves it running in the service. */

export interface WaitOption {
  /** commander's --no-wait sets wait=false. */
  wait?: boolean;
}
export interface CreateBackupOptions extends WaitOption {
  type: string;
  source?: string[];
}
export interface VerifyOptions extends WaitOption {
  readData?: boolean;
  sample?: number;
}
export interface RestoreOptions extends WaitOption {
  target?: string[];
  dryRun?: boolean;
}
export interface KeepOptions {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}
export type PruneOptions = KeepOptions & WaitOption;
export interface PolicySetOptions extends KeepOptions {
  cron?: string;
  trigger?: string;
  type?: string;
  source?: string[];
  /** --enable / --disable. */
  enabled?: boolean;
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

const MiB = 1024 * 1024;
export const bytes = (n: number) => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** `[######----]  42%  12.0 MiB read, 1.1 MiB stored, dedup 3.1×, ETA 8 s  RUNNING` (no bar or ETA while the size is unknown). */
export function progressBar(job: BackupJob, width = 24): string {
  const p = job.progress;
  const parts: string[] = [];
  if (p.bytesExpected > 0 && job.kind === 'BACKUP') {
    const share = Math.min(1, p.bytesRead / p.bytesExpected);
    const filled = job.state === 'SUCCEEDED' ? width : Math.round(share * width);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round((job.state === 'SUCCEEDED' ? 1 : share) * 100)).padStart(3)}%`);
  }
  if (job.kind === 'BACKUP') {
    parts.push(`${bytes(p.bytesRead)} read, ${bytes(p.bytesStored)} stored${p.dedupRatio > 0 ? `, dedup ${p.dedupRatio.toFixed(1)}×` : ''}`);
    if (p.etaSeconds !== null && job.state === 'RUNNING') parts.push(`ETA ${Math.ceil(p.etaSeconds)} s`);
  }
  parts.push(`${job.kind} ${job.state}${job.attempts > 1 ? ` (attempt ${job.attempts})` : ''}`);
  return parts.join('  ');
}

/** The live line of a job on stderr: redrawn in place on a terminal, one plain line per state change otherwise. */
class JobProgress {
  private last = '';
  private lastState = '';
  private drawn = false;
  constructor(
    private readonly err: Writer,
    private readonly tty: boolean,
  ) {}

  update(job: BackupJob): void {
    const line = progressBar(job);
    if (this.tty) {
      if (line !== this.last) this.err.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else if (job.state !== this.lastState) {
      this.err.write(`${job.id}: ${line}\n`);
    }
    this.last = line;
    this.lastState = job.state;
  }

  finish(): void {
    if (this.drawn) this.err.write('\n');
    this.drawn = false;
  }
}

/** Polls the job until it ends, drawing its progress; prints it; exits 255 unless it SUCCEEDED. */
async function follow(ctx: Context, first: BackupJob, opts: WaitOption, show: (job: BackupJob, width: number | undefined) => string): Promise<number> {
  if (opts.wait === false) {
    await ctx.print(first, () => `${first.id}\n`);
    return EXIT_OK;
  }
  const api = await ctx.client();
  const sleep = ctx.sleep ?? ((n: number) => new Promise<void>((r) => setTimeout(r, n)));
  const progress = new JobProgress(ctx.err, (ctx.stderrStream as { isTTY?: boolean }).isTTY === true);
  let job = first;
  progress.update(job);
  while (!FINAL_JOB_STATES.has(job.state)) {
    await sleep(POLL_MS);
    job = await api.getBackupJob(job.id);
    progress.update(job);
  }
  progress.finish();
  await ctx.print(job, (width) => show(job, width));
  if (job.state === 'SUCCEEDED') return EXIT_OK;
  ctx.err.write(`fleetplane: ${job.kind.toLowerCase()} job ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}\n`);
  return EXIT_CLI;
}

export function formatBackup(b: Backup, width?: number): string {
  const fields = renderFields([
    ['id', b.id],
    ['type', b.type],
    ['parent', b.parentId],
    ['depends on', b.dependsOn.join(', ') || null],
    ['taken', `${b.startedAt} → ${b.completedAt}`],
    ['read / stored', `${bytes(b.bytesRead)} / ${bytes(b.bytesStored)}`],
    ['chunks', `${b.chunks} (${b.newChunks} new)`],
    ['compression / dedup', `${b.compressionRatio.toFixed(2)}× / ${b.dedupRatio.toFixed(2)}×`],
  ]);
  const rows = b.sources.map((s) => [
    s.name,
    s.kind,
    bytes(s.sizeBytes),
    String(s.chunks),
    String(Object.keys(s.rowCounts).length),
    String(Object.values(s.rowCounts).reduce((a, n) => a + n, 0)),
  ]);
  return `${fields}\n${renderTable(['SOURCE', 'KIND', 'SIZE', 'CHUNKS', 'TABLES', 'ROWS'], rows, width)}`;
}

export function formatJob(job: BackupJob, width?: number): string {
  const fields = renderFields([
    ['job', job.id],
    ['kind', job.kind],
    ['state', job.state],
    ['backup', job.backupId],
    ['requested by', job.requestedBy],
    ['attempts', String(job.attempts)],
    ['error', job.error],
    ['progress', progressBar(job)],
    ['created', job.createdAt],
    ['finished', job.finishedAt],
  ]);
  if (job.backup) return `${fields}\n${formatBackup(job.backup, width)}`;
  if (job.verify)
    return `${fields}\n${renderFields([
      ['verified', job.verify.ok ? 'ok' : 'FAILED'],
      ['packs / blobs', `${job.verify.packsChecked} / ${job.verify.blobsChecked}`],
      ['errors', job.verify.errors.join('\n') || null],
    ])}`;
  if (job.restore) return `${fields}\n${formatRestored(job.restore.sources, width)}`;
  if (job.prune) {
    const p = job.prune;
    return `${fields}\n${renderFields([
      ['removed', p.removedBackupIds.join(', ') || '(none)'],
      ['kept', p.keptBackupIds.join(', ') || '(none)'],
      ['packs', `${p.packsDeleted} deleted, ${p.packsRepacked} repacked, ${bytes(p.bytesFreed)} freed`],
    ])}`;
  }
  return fields;
}

function formatRestored(sources: NonNullable<BackupJob['restore']>['sources'], width?: number): string {
  const rows = sources.map((s) => [
    s.source,
    s.database,
    bytes(s.sizeBytes),
    String(s.tables),
    String(s.rows),
    s.mismatches.map((m) => `${m.table}: ${m.actual}/${m.expected}`).join(', ') || 'none',
  ]);
  return renderTable(['SOURCE', 'DATABASE', 'SIZE', 'TABLES', 'ROWS', 'MISMATCHES'], rows, width);
}

function formatPolicies(policies: BackupPolicy[], width?: number): string {
  const keeps = (p: BackupPolicy) =>
    Object.entries(p.retention)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k.slice(4).toLowerCase()}=${n}`)
      .join(',') || '-';
  const rows = policies.map((p) => [p.name, p.cron ?? '-', p.trigger ?? '-', p.type, p.sources.join(',') || 'all', keeps(p), p.enabled ? 'yes' : 'no', p.id]);
  return renderTable(['NAME', 'CRON', 'TRIGGER', 'TYPE', 'SOURCES', 'KEEP', 'ENABLED', 'ID'], rows, width);
}

const typeOf = (t: string | undefined, flag: string): (typeof BACKUP_TYPES)[number] => {
  const type = (t ?? 'FULL').toUpperCase();
  if (!(BACKUP_TYPES as readonly string[]).includes(type)) throw new UsageError(`${flag} must be one of ${BACKUP_TYPES.join(', ').toLowerCase()}`);
  return type as (typeof BACKUP_TYPES)[number];
};

const keepsOf = (o: KeepOptions) =>
  Object.fromEntries(
    (['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const).flatMap((k) => (o[k] === undefined ? [] : [[k, o[k]]])),
  ) as KeepOptions;

export async function createBackup(ctx: Context, opts: CreateBackupOptions): Promise<number> {
  const job = await (await ctx.client()).createBackup({ type: typeOf(opts.type, '--type'), sources: opts.source ?? [] });
  return follow(ctx, job, opts, formatJob);
}

export async function listBackups(ctx: Context): Promise<void> {
  const backups = await (await ctx.client()).listBackups();
  await ctx.print({ backups }, (width) =>
    renderTable(
      ['ID', 'TYPE', 'PARENT', 'COMPLETED', 'SOURCES', 'READ', 'STORED'],
      backups.map((b) => [b.id, b.type, b.parentId ?? '-', b.completedAt, b.sources.map((s) => s.name).join(','), bytes(b.bytesRead), bytes(b.bytesStored)]),
      width,
    ),
  );
}

export async function showBackup(ctx: Context, id: string): Promise<void> {
  const backup = await (await ctx.client()).getBackup(id);
  await ctx.print(backup, (width) => formatBackup(backup, width));
}

export async function showJob(ctx: Context, id: string, opts: WaitOption): Promise<number> {
  const job = await (await ctx.client()).getBackupJob(id);
  return follow(ctx, job, { wait: opts.wait ?? false }, formatJob);
}

/**
 * Cancels a job: 0 once it is CANCELLED; 255 when it did not stop within the service's wait (still
 * RUNNING: run it again). A job that has ended is the gateway's 409, reported as an error.
 */
export async function cancelJob(ctx: Context, id: string): Promise<number> {
  const job = await (await ctx.client()).cancelBackupJob(id);
  await ctx.print(job, (width) => formatJob(job, width));
  if (job.state === 'CANCELLED') return EXIT_OK;
  ctx.err.write(`backup job ${id} is still ${job.state}: it did not stop in time; run fleetplane backup cancel ${id} again\n`);
  return EXIT_CLI;
}

export async function verifyBackup(ctx: Context, id: string, opts: VerifyOptions): Promise<number> {
  const job = await (await ctx.client()).verifyBackup(id, { readData: opts.readData ?? false, samplePercent: opts.sample ?? 100 });
  return follow(ctx, job, opts, formatJob);
}

/** `--target gateway=gateway_restored`, repeatable. */
export function parseTargets(values: string[] = []): DocBody<'restoreBackup'>['targets'] {
  if (values.length === 0) throw new UsageError('name at least one --target <source>=<new database>');
  return values.map((v) => {
    const m = /^([^=]+)=(.+)$/.exec(v);
    if (!m) throw new UsageError(`--target ${v}: expected <source>=<new database>`);
    return { source: m[1]!, database: m[2]! };
  });
}

export async function restoreBackup(ctx: Context, id: string, opts: RestoreOptions): Promise<number> {
  const answer = await (await ctx.client()).restoreBackup(id, { targets: parseTargets(opts.target), dryRun: opts.dryRun ?? false });
  if (!answer.job) {
    await ctx.print(answer, (width) => `dry run: nothing restored\n${formatRestored(answer.plan, width)}`);
    return EXIT_OK;
  }
  return follow(ctx, answer.job, opts, formatJob);
}

export async function pruneBackups(ctx: Context, opts: PruneOptions): Promise<number> {
  const keeps = keepsOf(opts);
  if (Object.keys(keeps).length === 0) throw new UsageError('give at least one --keep-* rule (an empty policy would keep everything)');
  return follow(ctx, await (await ctx.client()).pruneBackups(keeps), opts, formatJob);
}

export async function listPolicies(ctx: Context): Promise<void> {
  const policies = await (await ctx.client()).listBackupPolicies();
  await ctx.print({ policies }, (width) => formatPolicies(policies, width));
}

/** Creates the policy named `name`, or changes the given fields of the existing one. */
export async function setPolicy(ctx: Context, name: string, opts: PolicySetOptions): Promise<void> {
  const api = await ctx.client();
  const current = (await api.listBackupPolicies()).find((p) => p.name === name);
  const keeps = keepsOf(opts);
  const fields = {
    ...(opts.cron !== undefined ? { cron: opts.cron } : {}),
    ...(opts.trigger !== undefined ? { trigger: opts.trigger as 'migration.starting' | '' } : {}),
    ...(opts.type !== undefined ? { type: typeOf(opts.type, '--type') } : {}),
    ...(opts.source !== undefined ? { sources: opts.source } : {}),
    ...(Object.keys(keeps).length > 0 ? { retention: { ...(current?.retention ?? {}), ...keeps } } : {}),
    ...(opts.enabled !== undefined ? { enabled: opts.enabled } : {}),
  };
  let policy: BackupPolicy;
  if (current) {
    if (Object.keys(fields).length === 0) throw new UsageError('nothing to change: give --cron, --trigger, --type, --source, --keep-*, --enable or --disable');
    policy = await api.updateBackupPolicy(current.id, fields);
  } else {
    policy = await api.createBackupPolicy({ name, type: 'FULL', ...fields });
  }
  await ctx.print(policy, (width) => formatPolicies([policy], width));
}

export async function deletePolicy(ctx: Context, nameOrId: string): Promise<void> {
  const api = await ctx.client();
  const policy = (await api.listBackupPolicies()).find((p) => p.name === nameOrId || p.id === nameOrId);
  if (!policy) throw new CliError(`no backup policy named ${nameOrId}`);
  await api.deleteBackupPolicy(policy.id);
  ctx.err.write(`deleted backup policy ${policy.name}\n`);
}
