import { Inject, Injectable } from '@nestjs/common';
import { retentionPolicySchema, type Repository } from '@fleetplane/backup-repository';
import { backupV1 } from '@fleetplane/contracts/grpc';
import { InjectConfig } from '@fleetplane/service-kit';
import { grpcError, GrpcStatus, invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import type { BackupConfig } from '../config.js';
import { JobExecutor } from '../jobs/job-executor.js';
import { toProtoJob } from '../jobs/job.mapper.js';
import { JobsService } from '../jobs/jobs.service.js';
import { BackupMetrics } from '../metrics/backup-metrics.js';
import { PostgresRestorer } from '../restore/postgres-restorer.js';
import { BackupRunner } from '../runs/backup-runner.js';
import { toGrpcError } from './backup-errors.js';
import { fromProtoType, toProtoBackup } from './backup.mapper.js';
import { REPOSITORY } from './repository.provider.js';

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const BACKUP_ID = /^[0-9a-z]{8}t[0-9]{9}z-[0-9a-f]{8}$/;
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The gRPC API's operations. Reads answer from the repository's manifests and the catalogue;
 * work (backup, restore, verify, prune) is validated here — INVALID_ARGUMENT naming the field,
 * NOT_FOUND, FAILED_PRECONDITION for what would certainly fail — and then queued as a job.
 */
@Injectable()
export class BackupsService {
  private readonly restorer: PostgresRestorer;
  private readonly runner: BackupRunner;

  constructor(
    @Inject(REPOSITORY) private readonly repository: Repository,
    @InjectConfig() private readonly config: BackupConfig,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(JobExecutor) private readonly executor: JobExecutor,
    @Inject(BackupMetrics) metrics: BackupMetrics,
  ) {
    this.restorer = new PostgresRestorer(config.BACKUP_RESTORE_URL);
    this.runner = new BackupRunner(repository, metrics);
  }

  async create(req: backupV1.CreateBackupRequest): Promise<backupV1.BackupJob> {
    const type = fromProtoType(req.type);
    if (!type) throw invalidArgument('type', 'must be one of BACKUP_TYPE_FULL, _INCREMENTAL, _DIFFERENTIAL, _SNAPSHOT');
    const configured = this.config.BACKUP_SOURCES;
    const sources = req.sources.length > 0 ? req.sources : Object.keys(configured);
    const unknown = sources.filter((n) => !(n in configured));
    if (unknown.length > 0) throw invalidArgument('sources', `unknown source(s) ${unknown.join(', ')}; configured: ${Object.keys(configured).join(', ')}`);
    if (new Set(sources).size !== sources.length) throw invalidArgument('sources', 'names a source twice');
    return this.guard(async () => {
      // Refused now rather than failing in the queue: an INCREMENTAL or DIFFERENTIAL needs a FULL.
      await this.runner.parentFor(type, sources);
      const job = await this.jobs.enqueue({ kind: 'BACKUP', type, sources, params: { type, sources }, requestedBy: req.requestedBy || 'unknown' });
      return toProtoJob(job);
    });
  }

  async list(): Promise<backupV1.Backup[]> {
    return this.guard(async () => {
      const backups: backupV1.Backup[] = [];
      for (const id of (await this.repository.listBackups()).reverse()) {
        // A prune may forget a backup between the listing and the read: skip it.
        const manifest = await this.repository.readManifest(id).catch(() => undefined);
        if (manifest) backups.push(toProtoBackup(manifest));
      }
      return backups;
    });
  }

  async get(id: string): Promise<backupV1.Backup> {
    this.requireBackupId(id, 'backupId');
    return this.guard(async () => toProtoBackup(await this.repository.readManifest(id)));
  }

  async verify(req: backupV1.VerifyBackupRequest): Promise<backupV1.BackupJob> {
    this.requireBackupId(req.backupId, 'backupId');
    if (req.samplePercent < 0 || req.samplePercent > 100) throw invalidArgument('samplePercent', 'must be 0-100 (0 means 100)');
    return this.guard(async () => {
      await this.repository.readManifest(req.backupId);
      const params = { backupId: req.backupId, readData: req.readData, samplePercent: req.samplePercent || 100 };
      return toProtoJob(await this.jobs.enqueue({ kind: 'VERIFY', backupId: req.backupId, params, requestedBy: req.requestedBy || 'unknown' }));
    });
  }

  async restore(req: backupV1.RestoreBackupRequest): Promise<backupV1.RestoreBackupResponse> {
    this.requireBackupId(req.backupId, 'backupId');
    if (req.targets.length === 0) throw invalidArgument('targets', 'name at least one source and the new database to restore it into');
    const targets: Record<string, string> = {};
    const databases = new Set<string>();
    req.targets.forEach((t, i) => {
      if (!DATABASE_NAME.test(t.database)) throw invalidArgument(`targets[${i}].database`, 'must be a lower-case identifier (a-z, 0-9, _; at most 63)');
      if (t.source in targets) throw invalidArgument(`targets[${i}].source`, `source ${t.source} is named twice`);
      if (databases.has(t.database)) throw invalidArgument(`targets[${i}].database`, `database ${t.database} is named twice`);
      targets[t.source] = t.database;
      databases.add(t.database);
    });
    return this.guard(async () => {
      // NOT_FOUND for an unknown backup or a source it lacks (the plan checks both).
      const plan = await this.executor.restorePlan(req.backupId, targets);
      const existing = await this.restorer.existing([...databases]);
      if (existing.length > 0) {
        throw grpcError(GrpcStatus.FAILED_PRECONDITION, `database(s) ${existing.join(', ')} already exist: a restore goes into a new database`);
      }
      if (req.dryRun) return { job: undefined, dryRun: true, plan };
      const job = await this.jobs.enqueue({
        kind: 'RESTORE',
        backupId: req.backupId,
        params: { backupId: req.backupId, targets },
        requestedBy: req.requestedBy || 'unknown',
      });
      return { job: toProtoJob(job), dryRun: false, plan };
    });
  }

  async prune(req: backupV1.PruneRequest): Promise<backupV1.BackupJob> {
    const r = req.retention;
    const policy = retentionPolicySchema.safeParse({
      keepLast: r?.keepLast || undefined,
      keepHourly: r?.keepHourly || undefined,
      keepDaily: r?.keepDaily || undefined,
      keepWeekly: r?.keepWeekly || undefined,
      keepMonthly: r?.keepMonthly || undefined,
      keepYearly: r?.keepYearly || undefined,
    });
    if (!policy.success) throw invalidArgument('retention', policy.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const retention = Object.fromEntries(Object.entries(policy.data).filter(([, v]) => v !== undefined));
    if (Object.keys(retention).length === 0) throw invalidArgument('retention', 'set at least one keep_* rule (an empty policy would keep everything)');
    return this.guard(async () => toProtoJob(await this.jobs.enqueue({ kind: 'PRUNE', params: { retention }, requestedBy: req.requestedBy || 'unknown' })));
  }

  async getJob(id: string): Promise<backupV1.BackupJob> {
    if (!JOB_ID.test(id)) throw invalidArgument('jobId', `"${id}" is not a job id (uuid)`);
    const job = await this.jobs.get(id);
    if (!job) throw notFound(`job ${id}`);
    return toProtoJob(job);
  }

  async cancelJob(req: backupV1.CancelJobRequest): Promise<backupV1.BackupJob> {
    if (!JOB_ID.test(req.jobId)) throw invalidArgument('jobId', `"${req.jobId}" is not a job id (uuid)`);
    return this.guard(async () => {
      const job = await this.jobs.cancel(req.jobId, req.requestedBy || 'unknown');
      if (!job) throw notFound(`job ${req.jobId}`);
      return toProtoJob(job);
    });
  }

  async listJobs(limit: number): Promise<backupV1.BackupJob[]> {
    if (limit < 0 || limit > 500) throw invalidArgument('limit', 'must be 1-500 (0 means 50)');
    return (await this.jobs.list(limit || 50)).map(toProtoJob);
  }

  private requireBackupId(id: string, field: string): void {
    if (!BACKUP_ID.test(id)) throw invalidArgument(field, `"${id}" is not a backup id`);
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toGrpcError(error);
    }
  }
}
