import { Inject, Injectable } from '@nestjs/common';
import { applyRetention, retentionPolicySchema, type Repository } from '@fleetplane/backup-repository';
import { backupV1 } from '@fleetplane/contracts/grpc';
import { InjectConfig } from '@fleetplane/service-kit';
import { invalidArgument } from '@fleetplane/service-kit/grpc';
import type { BackupConfig } from '../config.js';
import { BackupMetrics } from '../metrics/backup-metrics.js';
import { PostgresRestorer } from '../restore/postgres-restorer.js';
import { BackupRunner } from '../runs/backup-runner.js';
import { RepositoryLock } from '../runs/repository-lock.js';
import { RestoreRunner } from '../runs/restore-runner.js';
import { PostgresSource } from '../sources/postgres-source.js';
import { toGrpcError } from './backup-errors.js';
import { fromProtoType, toProtoBackup } from './backup.mapper.js';
import { REPOSITORY } from './repository.provider.js';

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The backup service's operations over one repository, each validated first (INVALID_ARGUMENT
 * naming the field) and run under the repository's lock, so a prune never runs beside a backup.
 */
@Injectable()
export class BackupsService {
  private readonly lock = new RepositoryLock();
  private readonly runner: BackupRunner;
  private readonly restorer: RestoreRunner;

  constructor(
    @Inject(REPOSITORY) private readonly repository: Repository,
    @InjectConfig() private readonly config: BackupConfig,
    @Inject(BackupMetrics) metrics: BackupMetrics,
  ) {
    this.runner = new BackupRunner(repository, metrics);
    this.restorer = new RestoreRunner(repository, { postgres: new PostgresRestorer(config.BACKUP_RESTORE_URL) });
  }

  async create(req: backupV1.CreateBackupRequest): Promise<backupV1.Backup> {
    const type = fromProtoType(req.type);
    if (!type) throw invalidArgument('type', 'must be one of BACKUP_TYPE_FULL, _INCREMENTAL, _DIFFERENTIAL, _SNAPSHOT');
    const configured = this.config.BACKUP_SOURCES;
    const names = req.sources.length > 0 ? req.sources : Object.keys(configured);
    const unknown = names.filter((n) => !(n in configured));
    if (unknown.length > 0) throw invalidArgument('sources', `unknown source(s) ${unknown.join(', ')}; configured: ${Object.keys(configured).join(', ')}`);
    const sources = names.map((name) => new PostgresSource({ name, connectionString: configured[name]! }));
    return this.guard(async () =>
      toProtoBackup((await this.runner.run({ type, sources, tags: req.requestedBy ? { requestedBy: req.requestedBy } : {} })).manifest),
    );
  }

  async list(): Promise<backupV1.Backup[]> {
    return this.guard(async () => {
      const ids = (await this.repository.listBackups()).reverse();
      return Promise.all(ids.map(async (id) => toProtoBackup(await this.repository.readManifest(id))));
    });
  }

  async get(id: string): Promise<backupV1.Backup> {
    this.requireId(id);
    return this.guard(async () => toProtoBackup(await this.repository.readManifest(id)));
  }

  async verify(req: backupV1.VerifyBackupRequest): Promise<backupV1.VerifyBackupResponse> {
    this.requireId(req.backupId);
    if (req.samplePercent < 0 || req.samplePercent > 100) throw invalidArgument('samplePercent', 'must be 0-100 (0 means 100)');
    return this.guard(async () => {
      await this.repository.readManifest(req.backupId);
      const report = await this.repository.verify({ backups: [req.backupId], readData: req.readData, samplePercent: req.samplePercent || 100 });
      return { ok: report.errors.length === 0, packsChecked: report.packsChecked, blobsChecked: report.blobsChecked, errors: report.errors };
    });
  }

  async restore(req: backupV1.RestoreBackupRequest): Promise<backupV1.RestoreBackupResponse> {
    this.requireId(req.backupId);
    if (req.targets.length === 0) throw invalidArgument('targets', 'name at least one source and the new database to restore it into');
    const targets: Record<string, string> = {};
    req.targets.forEach((t, i) => {
      if (!DATABASE_NAME.test(t.database)) throw invalidArgument(`targets[${i}].database`, 'must be a lower-case identifier (a-z, 0-9, _; at most 63)');
      if (t.source in targets) throw invalidArgument(`targets[${i}].source`, `source ${t.source} is named twice`);
      targets[t.source] = t.database;
    });
    return this.guard(async () => {
      const result = await this.restorer.run({ backupId: req.backupId, targets, dryRun: req.dryRun });
      return {
        dryRun: req.dryRun,
        sources: result.plan.map((item) => {
          const check = result.checks.find((c) => c.database === item.target);
          return {
            source: item.source,
            database: item.target,
            sizeBytes: item.bytes,
            tables: Object.keys(item.tables).length,
            rows: Object.values(item.tables).reduce((a, b) => a + b, 0),
            mismatches: (check?.mismatches ?? []).map((m) => ({ table: m.table, expected: m.expected, actual: m.actual ?? -1 })),
          };
        }),
      };
    });
  }

  async prune(req: backupV1.PruneRequest): Promise<backupV1.PruneResponse> {
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
    if (Object.values(policy.data).every((v) => v === undefined))
      throw invalidArgument('retention', 'set at least one keep_* rule (an empty policy would keep everything)');
    return this.guard(async () => {
      const manifests = await Promise.all((await this.repository.listBackups()).map((id) => this.repository.readManifest(id)));
      const decision = applyRetention(manifests, policy.data);
      await this.repository.forget(decision.remove);
      const report = await this.repository.prune();
      return {
        removedBackupIds: decision.remove,
        keptBackupIds: [...decision.keep.keys()],
        packsDeleted: report.packsDeleted,
        packsRepacked: report.packsRepacked,
        bytesFreed: report.bytesFreed,
      };
    });
  }

  private requireId(id: string): void {
    if (!/^[0-9a-z]{8}t[0-9]{9}z-[0-9a-f]{8}$/.test(id)) throw invalidArgument('backupId', `"${id}" is not a backup id`);
  }

  private async guard<T>(job: () => Promise<T>): Promise<T> {
    try {
      return await this.lock.run(job);
    } catch (error) {
      throw toGrpcError(error);
    }
  }
}
