import { Inject, Injectable } from '@nestjs/common';
import { applyRetention, type BackupProgress, type Repository } from '@fleetplane/backup-repository';
import type { backupV1 } from '@fleetplane/contracts/grpc';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { PermanentJobError } from '@fleetplane/service-kit/queue';
import { toProtoBackup } from '../backups/backup.mapper.js';
import { REPOSITORY } from '../backups/repository.provider.js';
import type { BackupConfig } from '../config.js';
import type { Job } from '../generated/prisma/client.js';
import { BackupMetrics } from '../metrics/backup-metrics.js';
import { PostgresRestorer } from '../restore/postgres-restorer.js';
import { BackupRunner } from '../runs/backup-runner.js';
import { RestoreRunner } from '../runs/restore-runner.js';
import { PostgresSource } from '../sources/postgres-source.js';
import { backupParamsSchema, pruneParamsSchema, restoreParamsSchema, verifyParamsSchema } from './job-params.js';
import type { JobProgressSnapshot } from './job-store.js';

export interface JobOutcome {
  /** The proto message of the kind's result (Backup, VerifyResult, RestoreResult, PruneResult), stored as JSON. */
  result: backupV1.Backup | backupV1.VerifyResult | backupV1.RestoreResult | backupV1.PruneResult;
  backupId?: string;
}

/**
 * Does the work of one job row against the repository: a backup of configured sources, a restore
 * into new databases, a verify, a retention + prune. The caller (the worker) holds the repository
 * lock and records the outcome.
 */
@Injectable()
export class JobExecutor {
  private readonly runner: BackupRunner;
  private readonly restorer: RestoreRunner;

  constructor(
    @Inject(REPOSITORY) private readonly repository: Repository,
    @InjectConfig() private readonly config: BackupConfig,
    @Inject(BackupMetrics) metrics: BackupMetrics,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    this.runner = new BackupRunner(repository, metrics);
    this.restorer = new RestoreRunner(repository, { postgres: new PostgresRestorer(config.BACKUP_RESTORE_URL) });
  }

  /** `signal` cancels a backup, restore or verify (a prune, once running, is not interrupted). */
  run(job: Job, onProgress: (p: JobProgressSnapshot) => void, expectedBytes: number, signal?: AbortSignal): Promise<JobOutcome> {
    switch (job.kind) {
      case 'BACKUP':
        return this.backup(job, onProgress, expectedBytes, signal);
      case 'RESTORE':
        return this.restore(job, signal);
      case 'VERIFY':
        return this.verify(job, signal);
      case 'PRUNE':
        return this.prune(job);
    }
  }

  private async backup(job: Job, onProgress: (p: JobProgressSnapshot) => void, expectedBytes: number, signal?: AbortSignal): Promise<JobOutcome> {
    const params = backupParamsSchema.parse(job.params);
    const configured = this.config.BACKUP_SOURCES;
    const sources = params.sources.map((name) => {
      const connectionString = configured[name];
      if (!connectionString) throw new Error(`source ${name} is no longer configured`);
      return new PostgresSource({ name, connectionString });
    });
    const started = this.clock.nowMs();
    const outcome = await this.runner.run({
      type: params.type,
      sources,
      tags: { requestedBy: job.requestedBy, job: job.id },
      progressIntervalMs: this.config.BACKUP_PROGRESS_INTERVAL_MS,
      onProgress: (p) => onProgress(progressSnapshot(p, expectedBytes, this.clock.nowMs() - started)),
      ...(signal ? { signal } : {}),
    });
    return { result: toProtoBackup(outcome.manifest), backupId: outcome.manifest.id };
  }

  private async restore(job: Job, signal?: AbortSignal): Promise<JobOutcome> {
    const params = restoreParamsSchema.parse(job.params);
    const result = await this.restorer.run({ backupId: params.backupId, targets: params.targets, ...(signal ? { signal } : {}) });
    const mismatches = result.checks.flatMap((c) =>
      c.mismatches.map((m) => `${c.database}.${m.table}: expected ${m.expected} rows, found ${m.actual ?? 'no table'}`),
    );
    // The restored databases stay for inspection; the job says the restore is not faithful.
    if (mismatches.length > 0) throw new PermanentJobError(`row counts differ from the backup: ${mismatches.join('; ')}`);
    return { result: { sources: restoredSources(result) }, backupId: params.backupId };
  }

  private async verify(job: Job, signal?: AbortSignal): Promise<JobOutcome> {
    const params = verifyParamsSchema.parse(job.params);
    await this.repository.readManifest(params.backupId);
    const report = await this.repository.verify({
      backups: [params.backupId],
      readData: params.readData,
      samplePercent: params.samplePercent,
      ...(signal ? { signal } : {}),
    });
    return {
      result: { ok: report.errors.length === 0, packsChecked: report.packsChecked, blobsChecked: report.blobsChecked, errors: report.errors },
      backupId: params.backupId,
    };
  }

  private async prune(job: Job): Promise<JobOutcome> {
    const { retention } = pruneParamsSchema.parse(job.params);
    const manifests = await Promise.all((await this.repository.listBackups()).map((id) => this.repository.readManifest(id)));
    const decision = applyRetention(manifests, retention);
    await this.repository.forget(decision.remove);
    const report = await this.repository.prune();
    return {
      result: {
        removedBackupIds: decision.remove,
        keptBackupIds: [...decision.keep.keys()],
        packsDeleted: report.packsDeleted,
        packsRepacked: report.packsRepacked,
        bytesFreed: report.bytesFreed,
      },
    };
  }

  /** What a dry run answers: the plan, nothing created. */
  async restorePlan(backupId: string, targets: Record<string, string>): Promise<backupV1.RestoredSource[]> {
    return restoredSources(await this.restorer.run({ backupId, targets, dryRun: true }));
  }
}

/** Progress with the ETA extrapolated from the rate so far, when the expected size is known. */
export function progressSnapshot(p: BackupProgress, expectedBytes: number, elapsedMs: number): JobProgressSnapshot {
  const rate = elapsedMs > 0 ? p.bytesRead / elapsedMs : 0;
  const etaSeconds = expectedBytes > 0 && rate > 0 ? Math.max(0, (expectedBytes - p.bytesRead) / rate / 1000) : null;
  return {
    bytesRead: p.bytesRead,
    bytesStored: p.bytesStored,
    dedupRatio: p.newBytes > 0 ? p.bytesRead / p.newBytes : 0,
    bytesExpected: expectedBytes,
    etaSeconds,
  };
}

function restoredSources(result: Awaited<ReturnType<RestoreRunner['run']>>): backupV1.RestoredSource[] {
  return result.plan.map((item) => {
    const check = result.checks.find((c) => c.database === item.target);
    return {
      source: item.source,
      database: item.target,
      sizeBytes: item.bytes,
      tables: Object.keys(item.tables).length,
      rows: Object.values(item.tables).reduce((a, b) => a + b, 0),
      mismatches: (check?.mismatches ?? []).map((m) => ({ table: m.table, expected: m.expected, actual: m.actual ?? -1 })),
    };
  });
}
