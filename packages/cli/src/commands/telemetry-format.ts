import type { TelemetryHistory, TelemetrySummary } from './telemetry-schemas.js';

const BARS = '▁▂▃▄▅▆▇█';

/** One character per value, scaled between the series' min and max; a gap (no value) is a space. */
export function sparkline(values: readonly (number | null)[], width = 60): string {
  // More points than columns: each column shows the mean of the points it covers.
  const columns: (number | null)[] = [];
  const per = Math.max(1, Math.ceil(values.length / width));
  for (let i = 0; i < values.length; i += per) {
    const chunk = values.slice(i, i + per).filter((v): v is number => v !== null);
    columns.push(chunk.length ? chunk.reduce((a, b) => a + b, 0) / chunk.length : null);
  }
  const present = columns.filter((v): v is number => v !== null);
  if (present.length === 0) return ' '.repeat(columns.length);
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  return columns.map((v) => (v === null ? ' ' : BARS[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))])).join('');
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(1));

/** Per metric: a sparkline of the averages, then min / avg / max / last over the range. */
export function formatHistory(h: TelemetryHistory, width = 80): string {
  if (h.points.length === 0) return `${h.agentId}: no samples in the range (step ${h.step})`;
  const first = h.points[0]!.at;
  const last = h.points.at(-1)!.at;
  const nameWidth = Math.max(...h.metrics.map((m) => m.length));
  const sparkWidth = Math.max(10, Math.min(60, width - nameWidth - 40));
  const lines = [`${h.agentId}  ${first} → ${last}  step ${h.step}, ${h.points.length} points`];
  for (const m of h.metrics) {
    const avgs = h.points.map((p) => p.values[m]?.avg ?? null);
    const present = avgs.filter((v): v is number => v !== null);
    const min = present.length ? Math.min(...h.points.map((p) => p.values[m]?.min ?? Infinity)) : null;
    const max = present.length ? Math.max(...h.points.map((p) => p.values[m]?.max ?? -Infinity)) : null;
    const avg = present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
    const lastValue = [...h.points].reverse().find((p) => p.values[m]?.last !== null && p.values[m]?.last !== undefined)?.values[m]?.last ?? null;
    lines.push(
      `${m.padEnd(nameWidth)}  ${sparkline(avgs, sparkWidth).padEnd(sparkWidth)}  min ${fmt(min)}  avg ${fmt(avg)}  max ${fmt(max)}  last ${fmt(lastValue)}`,
    );
  }
  if (h.nextPageToken) lines.push('(more points: narrow the range or use --json with a page token)');
  return lines.join('\n');
}

export function formatSummary(s: TelemetrySummary): string {
  const lines = [`${s.agentsReporting} agents reporting, ${s.from} → ${s.to}`, 'metric          agents     p50     p95     max     avg'];
  for (const [name, m] of Object.entries(s.metrics)) {
    if (!m) continue;
    lines.push(
      `${name.padEnd(15)} ${String(m.agents).padStart(6)} ${fmt(m.p50).padStart(7)} ${fmt(m.p95).padStart(7)} ${fmt(m.max).padStart(7)} ${fmt(m.avg).padStart(7)}`,
    );
  }
  return lines.join('\n');
}
