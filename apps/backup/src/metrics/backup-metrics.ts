import { Inject, Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricFactory } from '@fleetplane/service-kit';
import type { BackupType } from '@fleetplane/backup-repository';
import type { BackupObserver, BackupOutcome } from '../runs/backup-runner.js';

/**
 * What an SRE watches on the backup service, under `fleetplane_backup_`: how long backups take, how
 * much they read and store, what compression and dedup save, failures, and — for the alert that
 * matters most — when each source last had a successful backup.
 */
@Injectable()
export class BackupMetrics implements BackupObserver {
  private readonly duration: Histogram<'type'>;
  private readonly bytesRead: Counter<'type'>;
  private readonly bytesStored: Counter<'type'>;
  private readonly compressionRatio: Gauge<'type'>;
  private readonly dedupRatio: Gauge<'type'>;
  private readonly failures: Counter<'type'>;
  private readonly lastSuccess: Gauge<'source'>;
  private readonly jobDuration: Histogram<'kind' | 'state'>;
  private readonly jobFailures: Counter<'kind'>;

  constructor(@Inject(MetricFactory) metrics: MetricFactory) {
    this.duration = metrics.histogram({
      name: 'duration_seconds',
      help: 'Wall time of successful backups, by type',
      labelNames: ['type'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    });
    this.bytesRead = metrics.counter({ name: 'bytes_read_total', help: 'Source bytes read by backups', labelNames: ['type'] as const });
    this.bytesStored = metrics.counter({ name: 'bytes_stored_total', help: 'Bytes written to storage (sealed packs)', labelNames: ['type'] as const });
    this.compressionRatio = metrics.gauge({
      name: 'compression_ratio',
      help: 'Last backup: plaintext bytes of new chunks / bytes stored',
      labelNames: ['type'] as const,
    });
    this.dedupRatio = metrics.gauge({ name: 'dedup_ratio', help: 'Last backup: bytes read / plaintext bytes of new chunks', labelNames: ['type'] as const });
    this.failures = metrics.counter({ name: 'failures_total', help: 'Backups that failed, by type', labelNames: ['type'] as const });
    this.lastSuccess = metrics.gauge({
      name: 'last_success_timestamp_seconds',
      help: 'When each source last had a successful backup (alert on time() minus this)',
      labelNames: ['source'] as const,
    });
    this.jobDuration = metrics.histogram({
      name: 'job_duration_seconds',
      help: 'Wall time of finished jobs (backup, restore, verify, prune) from start to end, by kind and final state',
      labelNames: ['kind', 'state'] as const,
      buckets: [0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    });
    this.jobFailures = metrics.counter({ name: 'job_failures_total', help: 'Jobs that ended FAILED, by kind', labelNames: ['kind'] as const });
  }

  /** A job reached a final state after running `seconds`. */
  jobFinished(kind: string, state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', seconds: number): void {
    this.jobDuration.observe({ kind, state }, seconds);
    if (state === 'FAILED') this.jobFailures.inc({ kind });
  }

  /** At start, from the catalogue: the alert must not see a restart as "never backed up". */
  restoreLastSuccess(source: string, at: Date): void {
    this.lastSuccess.set({ source }, at.getTime() / 1000);
  }

  succeeded({ manifest, durationMs, compressionRatio, dedupRatio }: BackupOutcome): void {
    const type = manifest.type;
    this.duration.observe({ type }, durationMs / 1000);
    this.bytesRead.inc({ type }, manifest.stats.bytesRead);
    this.bytesStored.inc({ type }, manifest.stats.bytesStored);
    this.compressionRatio.set({ type }, compressionRatio);
    // Nothing new stored at all: the ratio is unbounded; report bytes read instead of Infinity.
    this.dedupRatio.set({ type }, Number.isFinite(dedupRatio) ? dedupRatio : manifest.stats.bytesRead);
    const completed = Date.parse(manifest.completedAt) / 1000;
    for (const source of manifest.sources) this.lastSuccess.set({ source: source.name }, completed);
  }

  failed(type: BackupType): void {
    this.failures.inc({ type });
  }
}
