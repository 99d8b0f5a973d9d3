import { describe, expect, it } from 'vitest';
import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { chooseResolution, parseRange } from './history-range.js';

const DAY = 86_400_000;
const now = Date.parse('2026-12-01T12:00:00.000Z');
const retention = { raw: 7 * DAY, '1m': 30 * DAY, '1h': 400 * DAY };
const iso = (ms: number) => new Date(ms).toISOString();
const req = (r: Partial<Parameters<typeof parseRange>[0]>) => ({ from: '', to: '', resolution: telemetryV1.Resolution.RESOLUTION_AUTO, metrics: [], ...r });

describe('history range', () => {
  it('chooses raw for short recent ranges, 1 m up to 2,000 minutes, 1 h beyond or past the 1 m retention', () => {
    expect(chooseResolution(now - 3_600_000, now, now, retention)).toBe('raw');
    expect(chooseResolution(now - 3 * 3_600_000, now, now, retention)).toBe('1m');
    expect(chooseResolution(now - DAY, now, now, retention)).toBe('1m');
    expect(chooseResolution(now - 2 * DAY, now, now, retention)).toBe('1h');
    // An hour ten days ago: raw is gone, 1 m still holds it.
    expect(chooseResolution(now - 10 * DAY, now - 10 * DAY + 3_600_000, now, retention)).toBe('1m');
    expect(chooseResolution(now - 40 * DAY, now - 40 * DAY + 3_600_000, now, retention)).toBe('1h');
  });

  it('defaults to the last hour, every metric', () => {
    const r = parseRange(req({}), now, retention, true);
    expect(r).toMatchObject({ fromMs: now - 3_600_000, toMs: now, resolution: 'raw' });
    expect(r.metrics).toContain('cpu_percent');
  });

  it('caps rollup ranges at 2,000 points only when asked to (GetHistory, not the stream)', () => {
    const month = req({ from: iso(now - 30 * DAY), resolution: telemetryV1.Resolution.RESOLUTION_1M });
    expect(() => parseRange(month, now, retention, true)).toThrow(/to: the range holds 43200 points at 1m/);
    expect(parseRange(month, now, retention, false).resolution).toBe('1m');
    expect(parseRange(req({ from: iso(now - 2_000 * 60_000), resolution: telemetryV1.Resolution.RESOLUTION_1M }), now, retention, true).resolution).toBe('1m');
  });

  it('names the field of a bad request', () => {
    expect(() => parseRange(req({ from: 'now-1h' }), now, retention, true)).toThrow(/^from: must be an RFC 3339 date-time/);
    expect(() => parseRange(req({ to: iso(now - 7_200_000), from: iso(now) }), now, retention, true)).toThrow('from: must be before to');
    expect(() => parseRange(req({ metrics: ['cpu_percent', 'gpu'] }), now, retention, true)).toThrow(/^metrics: unknown metric "gpu"/);
    expect(() => parseRange(req({ resolution: telemetryV1.Resolution.UNRECOGNIZED }), now, retention, true)).toThrow(/^resolution: /);
  });
});
