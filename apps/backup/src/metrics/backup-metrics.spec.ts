import { metricsRegistry } from '@fleetplane/observability';
import { MetricFactory } from '@fleetplane/service-kit';
import type { Manifest } from '@fleetplane/backup-repository';
import { describe, expect, it } from 'vitest';
import { BackupMetrics } from './backup-metrics.js';

const manifest = {
  id: 'b1',
  type: 'INCREMENTAL',
  completedAt: '2026-12-01T12:00:00.000Z',
  sources: [{ name: 'gateway' }, { name: 'command' }],
  stats: { bytesRead: 1000, chunks: 10, newChunks: 1, newBytes: 100, bytesStored: 40 },
} as unknown as Manifest;

async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l) && !('le' in v.labels))?.value;
}

describe('BackupMetrics', () => {
  it('records bytes, ratios, duration, failures and the last success per source', async () => {
    const metrics = new BackupMetrics(new MetricFactory('backup'));
    metrics.succeeded({ manifest, durationMs: 2500, compressionRatio: 2.5, dedupRatio: 10 });
    metrics.failed('FULL');
    expect(await value('fleetplane_backup_bytes_read_total', { type: 'INCREMENTAL' })).toBe(1000);
    expect(await value('fleetplane_backup_bytes_stored_total', { type: 'INCREMENTAL' })).toBe(40);
    expect(await value('fleetplane_backup_compression_ratio', { type: 'INCREMENTAL' })).toBe(2.5);
    expect(await value('fleetplane_backup_dedup_ratio', { type: 'INCREMENTAL' })).toBe(10);
    expect(await value('fleetplane_backup_failures_total', { type: 'FULL' })).toBe(1);
    expect(await value('fleetplane_backup_last_success_timestamp_seconds', { source: 'command' })).toBe(Date.parse('2026-12-01T12:00:00Z') / 1000);
    const sum = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === 'fleetplane_backup_duration_seconds');
    expect(sum?.values.find((v) => (v as { metricName?: string }).metricName === 'fleetplane_backup_duration_seconds_sum')?.value).toBe(2.5);
  });
});
