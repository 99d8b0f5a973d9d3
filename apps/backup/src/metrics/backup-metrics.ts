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
