import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../storage/partition-plan.js';
import { decodeSample } from './sample-decoder.js';

const now = Date.parse('2026-12-01T12:00:00.000Z');
const raw = { table: 'telemetry_samples_raw', spanMs: DAY_MS, retentionMs: 7 * DAY_MS };
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const sample = (takenAt: string) => ({
  agentId: 'web-1',
  takenAt,
  cpuPercent: 1,
  memoryUsedBytes: 1,
  memoryTotalBytes: 2,
  load: [0, 0, 0],
  diskUsedBytes: 1,
  diskTotalBytes: 2,
  uptimeSeconds: 1,
});

describe('decodeSample', () => {
  it('accepts a sample inside the partitions’ range', () => {
    expect(decodeSample(enc(sample('2026-12-01T11:59:00.000Z')), raw, now)).toMatchObject({ ok: true, sample: { agentId: 'web-1' } });
  });

  it('names what makes a message poison', () => {
    expect(decodeSample(enc('{'), raw, now)).toMatchObject({ ok: false, reason: 'not_json' });
    expect(decodeSample(enc({ ...sample('2026-12-01T11:59:00.000Z'), cpuPercent: 'high' }), raw, now)).toMatchObject({
      ok: false,
      reason: 'invalid_sample',
    });
    const invalid = decodeSample(enc({ ...sample('2026-12-01T11:59:00.000Z'), cpuPercent: 'high' }), raw, now);
    expect(invalid.ok ? '' : invalid.detail).toMatch(/^cpuPercent: /);
    expect(decodeSample(enc(sample('2026-11-20T00:00:00.000Z')), raw, now)).toMatchObject({ ok: false, reason: 'past_retention' });
    expect(decodeSample(enc(sample('2026-12-04T00:00:00.000Z')), raw, now)).toMatchObject({ ok: false, reason: 'in_future' });
  });
});
