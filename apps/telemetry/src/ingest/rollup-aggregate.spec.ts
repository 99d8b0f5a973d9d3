import { describe, expect, it } from 'vitest';
import { METRICS, type MetricValues } from '../samples/metric-catalogue.js';
import { aggregateRollups, BUCKET_MS } from './rollup-aggregate.js';

const values = (v: Partial<MetricValues>): MetricValues => ({ ...(Object.fromEntries(METRICS.map((m) => [m, null])) as MetricValues), ...v });
const at = (iso: string) => Date.parse(iso);
const cpu = METRICS.indexOf('cpu_percent');
const swap = METRICS.indexOf('swap_percent');

describe('aggregateRollups', () => {
  it('gives one partial aggregate per agent and UTC bucket: sum, count, min, max, and last by sample time whatever the arrival order', () => {
    const buckets = aggregateRollups(
      [
        { agentId: 'a', atMs: at('2026-12-01T10:00:30.000Z'), values: values({ cpu_percent: 50, swap_percent: 5 }) },
        { agentId: 'a', atMs: at('2026-12-01T10:00:50.000Z'), values: values({ cpu_percent: 70 }) },
        { agentId: 'a', atMs: at('2026-12-01T10:00:10.000Z'), values: values({ cpu_percent: 10, swap_percent: 1 }) },
        { agentId: 'a', atMs: at('2026-12-01T10:01:00.000Z'), values: values({ cpu_percent: 99 }) },
        { agentId: 'b', atMs: at('2026-12-01T10:00:20.000Z'), values: values({ cpu_percent: 1 }) },
      ],
      BUCKET_MS.minute,
    );
    expect(buckets.map((b) => [b.agentId, new Date(b.bucketMs).toISOString(), b.samples])).toEqual([
      ['a', '2026-12-01T10:00:00.000Z', 3],
      ['a', '2026-12-01T10:01:00.000Z', 1],
      ['b', '2026-12-01T10:00:00.000Z', 1],
    ]);
    const a10 = buckets[0]!;
    expect(new Date(a10.lastAtMs).toISOString()).toBe('2026-12-01T10:00:50.000Z');
    expect(a10.metrics[cpu]).toMatchObject({ sum: 130, count: 3, min: 10, max: 70, last: 70 });
    // The newest sample carrying the metric, not the newest sample.
    expect(a10.metrics[swap]).toMatchObject({ sum: 6, count: 2, min: 1, max: 5, last: 5 });
    // A metric no sample carried: nothing but a zero count.
    expect(a10.metrics[METRICS.indexOf('failed_units')]).toMatchObject({ sum: null, count: 0, min: null, max: null, last: null });
  });

  it('aligns hour buckets to the UTC hour', () => {
    const [b] = aggregateRollups([{ agentId: 'a', atMs: at('2026-12-01T10:59:59.999Z'), values: values({ load1: 2 }) }], BUCKET_MS.hour);
    expect(new Date(b!.bucketMs).toISOString()).toBe('2026-12-01T10:00:00.000Z');
  });
});
