import { METRICS, type MetricValues } from '../samples/metric-catalogue.js';

/** One sample as the rollups see it: its agent, time (ms) and catalogue values. */
export interface RollupInput {
  agentId: string;
  atMs: number;
  values: MetricValues;
}

/** A metric's partial aggregate within one bucket (null sum/min/max/last where no sample carried it). */
export interface MetricAggregate {
  sum: number | null;
  count: number;
  min: number | null;
  max: number | null;
  last: number | null;
  /** The time of the sample `last` came from. */
  lastAtMs: number;
}

/** One (agent, bucket) of a batch: what the stored bucket absorbs. */
export interface BucketAggregate {
  agentId: string;
  bucketMs: number;
  samples: number;
  lastAtMs: number;
  metrics: MetricAggregate[];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
export const BUCKET_MS = { minute: MINUTE_MS, hour: HOUR_MS } as const;

/**
 * The batch's partial aggregate per (agent, bucket), computed here rather than by a GROUP BY in
 * the statement: PostgreSQL then only merges one row per (agent, bucket) and batch, without the
 * per-metric sorts `last` would need there. `last` is the value of the newest sample carrying the
 * metric, whatever the order the samples came in. Buckets are UTC-aligned (date_trunc's).
 */
export function aggregateRollups(samples: readonly RollupInput[], bucketMs: number): BucketAggregate[] {
  const buckets = new Map<string, BucketAggregate>();
  for (const s of samples) {
    const bucketMs0 = s.atMs - (((s.atMs % bucketMs) + bucketMs) % bucketMs);
    const key = `${s.agentId}\u0000${bucketMs0}`;
    let b = buckets.get(key);
    if (!b) {
      b = {
        agentId: s.agentId,
        bucketMs: bucketMs0,
        samples: 0,
        lastAtMs: s.atMs,
        metrics: METRICS.map(() => ({ sum: null, count: 0, min: null, max: null, last: null, lastAtMs: -Infinity })),
      };
      buckets.set(key, b);
    }
    b.samples++;
    if (s.atMs > b.lastAtMs) b.lastAtMs = s.atMs;
    METRICS.forEach((m, i) => {
      const v = s.values[m];
      if (v === null) return;
      const a = b.metrics[i]!;
      a.sum = (a.sum ?? 0) + v;
      a.count++;
      a.min = a.min === null ? v : Math.min(a.min, v);
      a.max = a.max === null ? v : Math.max(a.max, v);
      if (s.atMs > a.lastAtMs) {
        a.last = v;
        a.lastAtMs = s.atMs;
      }
    });
  }
  return [...buckets.values()];
}
