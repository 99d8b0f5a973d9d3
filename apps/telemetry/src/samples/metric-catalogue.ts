import type { TelemetrySample } from '@fleetplane/contracts';

/**
 * The scalar metrics kept as history: one column each in the raw table and five in each rollup
 * (sum, count, min, max, last). History, summary and alert rules name metrics from this list;
 * the rest of a sample (per-core, per-mount, per-interface detail) stays in the raw row's JSON.
 * `prisma/schema.prisma` and the first migration spell these columns out; metric-catalogue.spec
 * keeps them in step.
 */
export const METRICS = [
  'cpu_percent',
  'memory_percent',
  'swap_percent',
  /** The fullest mount's use, or the agent's single disk figure when it sends no mounts. */
  'disk_percent',
  'load1',
  'load5',
  'load15',
  /** Summed over interfaces. */
  'net_rx_bytes_per_second',
  'net_tx_bytes_per_second',
  'containers_unhealthy',
  'failed_units',
] as const;
export type MetricName = (typeof METRICS)[number];

export const isMetricName = (s: string): s is MetricName => (METRICS as readonly string[]).includes(s);

export type MetricValues = Record<MetricName, number | null>;

const percent = (used: number | undefined, total: number | undefined): number | null =>
  used === undefined || total === undefined || total <= 0 ? null : Math.min(100, (used / total) * 100);

const sumOf = (xs: readonly (number | undefined)[] | undefined): number | null => {
  if (!xs || xs.length === 0 || xs.some((x) => x === undefined)) return null;
  return (xs as number[]).reduce((a, b) => a + b, 0);
};

/** The catalogue's values of one sample; null where the agent did not send what a metric needs. */
export function metricValues(s: TelemetrySample): MetricValues {
  const mountPercents = (s.mounts ?? []).map((m) => percent(m.usedBytes, m.totalBytes)).filter((p): p is number => p !== null);
  return {
    cpu_percent: s.cpuPercent,
    memory_percent: percent(s.memoryUsedBytes, s.memoryTotalBytes),
    swap_percent: percent(s.swapUsedBytes, s.swapTotalBytes),
    disk_percent: mountPercents.length > 0 ? Math.max(...mountPercents) : percent(s.diskUsedBytes, s.diskTotalBytes),
    load1: s.load[0],
    load5: s.load[1],
    load15: s.load[2],
    net_rx_bytes_per_second: sumOf(s.interfaces?.map((i) => i.rxBytesPerSecond)),
    net_tx_bytes_per_second: sumOf(s.interfaces?.map((i) => i.txBytesPerSecond)),
    containers_unhealthy: s.containers ? s.containers.unhealthy : null,
    failed_units: s.failedUnits ? s.failedUnits.length : null,
  };
}
