import { describe, expect, it } from 'vitest';
import { parseInstant } from './telemetry.js';
import { formatHistory, formatSummary, sparkline } from './telemetry-format.js';

describe('telemetry output', () => {
  it('draws a sparkline scaled between min and max, with gaps for missing values', () => {
    expect(sparkline([0, 50, 100, null, 100])).toBe('▁▅█ █');
    expect(sparkline([3, 3, 3])).toBe('▁▁▁');
    expect(sparkline([0, 0, 100, 100], 2)).toBe('▁█');
  });

  it('shows per metric a sparkline and min / avg / max / last over the range', () => {
    const point = (at: string, v: number | null) => ({ at, samples: 1, values: { cpu_percent: { avg: v, min: v, max: v, last: v } } });
    const text = formatHistory({
      agentId: 'web-1',
      step: 'raw',
      metrics: ['cpu_percent'],
      points: [point('2026-12-01T10:00:00.000Z', 10), point('2026-12-01T10:00:10.000Z', 30), point('2026-12-01T10:00:20.000Z', null)],
      nextPageToken: null,
    });
    expect(text).toContain('web-1  2026-12-01T10:00:00.000Z → 2026-12-01T10:00:20.000Z  step raw, 3 points');
    expect(text).toMatch(/cpu_percent +▁█ +min 10 {2}avg 20 {2}max 30 {2}last 30/);
  });

  it('prints the fleet summary as a table', () => {
    const text = formatSummary({
      from: 'a',
      to: 'b',
      agentsReporting: 2,
      metrics: { cpu_percent: { agents: 2, p50: 12.25, p95: 40, max: 41, avg: 20 } },
    });
    expect(text.split('\n')[2]).toBe('cpu_percent          2    12.3      40      41      20');
  });

  it('reads --from as a duration before now or an RFC 3339 time', () => {
    const now = Date.parse('2026-12-01T12:00:00.000Z');
    expect(parseInstant('6h', now)).toBe('2026-12-01T06:00:00.000Z');
    expect(parseInstant('2026-11-30T00:00:00Z', now)).toBe('2026-11-30T00:00:00Z');
    expect(() => parseInstant('yesterday', now)).toThrow(/RFC 3339/);
  });
});
