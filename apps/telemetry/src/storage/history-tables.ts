import { retentionMs, type TelemetryConfig } from '../config.js';
import { DAY_MS, type PartitionedTable } from './partition-plan.js';

export type Resolution = 'raw' | '1m' | '1h';

/** The three history tables, their partition width and retention from config. */
export function historyTables(config: TelemetryConfig): Record<Resolution, PartitionedTable> {
  const retention = retentionMs(config);
  return {
    raw: { table: 'telemetry_samples_raw', spanMs: DAY_MS, retentionMs: retention.raw },
    '1m': { table: 'telemetry_rollup_1m', spanMs: DAY_MS, retentionMs: retention['1m'] },
    // Wider partitions for the long-lived table: 400 days in ~14 partitions, not 400.
    '1h': { table: 'telemetry_rollup_1h', spanMs: 30 * DAY_MS, retentionMs: retention['1h'] },
  };
}
