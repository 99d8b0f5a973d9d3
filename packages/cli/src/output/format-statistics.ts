import type { Statistics } from '../api/schemas.js';
import { renderFields, renderTable } from './table.js';

const BARS = '▁▂▃▄▅▆▇█';

/** One character per minute, the height relative to the busiest minute (a space for none). */
export function sparkline(counts: number[]): string {
  const peak = Math.max(0, ...counts);
  return counts.map((c) => (c <= 0 || peak === 0 ? ' ' : BARS[Math.max(0, Math.ceil((c * BARS.length) / peak) - 1)])).join('');
}

const byState = (s: Record<string, number>) =>
  Object.entries(s)
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([state, n]) => `${state} ${n}`)
    .join(', ');

/** The Statistics answer as a summary: counts, the last hour's executions per minute, and agents per site and OS. */
export function formatStatistics(s: Statistics, width?: number): string {
  const perMinute = s.executionsPerMinute.map((m) => m.count);
  const total = perMinute.reduce((a, b) => a + b, 0);
  const head = renderFields([
    ['generated', s.generatedAt],
    ['agents', `${s.agents.total} (${s.agents.connected} connected)`],
    ['commands, last hour', `${s.commands.lastHour.total}${s.commands.lastHour.total ? `: ${byState(s.commands.lastHour.byState)}` : ''}`],
    ['commands, last day', `${s.commands.lastDay.total}${s.commands.lastDay.total ? `: ${byState(s.commands.lastDay.byState)}` : ''}`],
    ['executions, last hour', `${total} (peak ${Math.max(0, ...perMinute)}/min)`],
    ['per minute', `|${sparkline(perMinute)}|`],
    ['alerts firing', s.alerts.firing === null ? 'n/a (no alert data yet)' : s.alerts.firing],
  ]);
  const parts = [head];
  if (s.agents.bySite.length) {
    parts.push(
      renderTable(
        ['SITE', 'AGENTS', 'CONNECTED'],
        s.agents.bySite.map((r) => [r.site, r.total, r.connected]),
        width,
      ),
    );
  }
  if (s.agents.byOs.length) {
    parts.push(
      renderTable(
        ['OS', 'AGENTS', 'CONNECTED'],
        s.agents.byOs.map((r) => [r.os, r.total, r.connected]),
        width,
      ),
    );
  }
  return parts.join('\n');
}
