import { describe, expect, it } from 'vitest';
import { DAY_MS, isExpired, newestAccepted, oldestAccepted, parsePartitionName, wantedPartitions, type PartitionedTable } from './partition-plan.js';

const now = Date.parse('2026-12-01T13:00:00.000Z');
const raw: PartitionedTable = { table: 'telemetry_samples_raw', spanMs: DAY_MS, retentionMs: 7 * DAY_MS };
const hourly: PartitionedTable = { table: 'telemetry_rollup_1h', spanMs: 30 * DAY_MS, retentionMs: 400 * DAY_MS };

describe('partition plan', () => {
  it('wants daily partitions from the day holding now - retention to the day holding now + 2 days', () => {
    const names = wantedPartitions(raw, now).map((p) => p.name);
    expect(names[0]).toBe('telemetry_samples_raw_p20261124');
    expect(names.at(-1)).toBe('telemetry_samples_raw_p20261203');
    expect(names).toHaveLength(10);
  });

  it('gives contiguous ranges: each partition starts where the previous ends', () => {
    const ps = wantedPartitions(hourly, now);
    for (let i = 1; i < ps.length; i++) expect(ps[i]!.from).toEqual(ps[i - 1]!.to);
    expect(ps[0]!.from.getTime()).toBeLessThanOrEqual(now - hourly.retentionMs);
    expect(ps.at(-1)!.to.getTime()).toBeGreaterThan(now + 2 * DAY_MS);
  });

  it('reads the bounds back from a name it gave, and ignores any other table', () => {
    expect(parsePartitionName(raw, 'telemetry_samples_raw_p20261124')).toEqual({
      name: 'telemetry_samples_raw_p20261124',
      from: new Date('2026-11-24T00:00:00.000Z'),
      to: new Date('2026-11-25T00:00:00.000Z'),
    });
    expect(parsePartitionName(raw, 'telemetry_samples_raw_p2026112')).toBeUndefined();
    expect(parsePartitionName(raw, 'telemetry_rollup_1m_p20261124')).toBeUndefined();
  });

  it('expires a partition only once its newest possible row is past retention', () => {
    const p = (name: string) => parsePartitionName(raw, name)!;
    // now - 7 d is 2026-11-24T13:00: the 24th still holds rows inside retention, the 23rd does not.
    expect(isExpired(raw, p('telemetry_samples_raw_p20261124'), now)).toBe(false);
    expect(isExpired(raw, p('telemetry_samples_raw_p20261123'), now)).toBe(true);
  });

  it('accepts samples from now - retention to now + 2 days', () => {
    expect(oldestAccepted(raw, now)).toBe(now - 7 * DAY_MS);
    expect(newestAccepted(now)).toBe(now + 2 * DAY_MS);
  });
});
