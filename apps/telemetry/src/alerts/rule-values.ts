import type { TelemetrySample } from '@fleetplane/contracts';
import { isMetricName, metricValues, type MetricValues } from '../samples/metric-catalogue.js';

export interface MountValue {
  /** The mount for disk_percent when the sample lists mounts; empty otherwise. */
  mount: string;
  value: number;
}

/**
 * What one rule's metric reads from one sample: disk_percent once per mount (each mount is
 * its own alert), every other catalogue metric once; nothing where the sample lacks it.
 */
export function ruleValues(metric: string, sample: TelemetrySample, values: MetricValues = metricValues(sample)): MountValue[] {
  if (metric === 'disk_percent' && sample.mounts && sample.mounts.length > 0) {
    return sample.mounts.filter((m) => m.totalBytes > 0).map((m) => ({ mount: m.mount, value: Math.min(100, (m.usedBytes / m.totalBytes) * 100) }));
  }
  if (!isMetricName(metric)) return [];
  const v = values[metric];
  return v === null || v === undefined ? [] : [{ mount: '', value: v }];
}
