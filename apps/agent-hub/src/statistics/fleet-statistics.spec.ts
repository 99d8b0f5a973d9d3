import { describe, expect, it } from 'vitest';
import type { FleetCountRow } from './fleet-counts.repository.js';
import { toFleetStatistics } from './fleet-statistics.js';

const at = new Date('2026-01-01T00:00:00.000Z');

describe(toFleetStatistics.name, () => {
  it('splits the grouping sets into the fleet, its sites and its os, largest first then by key', () => {
    const rows: FleetCountRow[] = [
      { grouping: 'site', key: 'lon', total: 2, connected: 1 },
      { grouping: 'os', key: 'linux', total: 4, connected: 2 },
      { grouping: 'fleet', key: '', total: 5, connected: 2 },
      { grouping: 'site', key: 'ams', total: 2, connected: 0 },
      { grouping: 'site', key: 'par', total: 1, connected: 1 },
      { grouping: 'os', key: '', total: 1, connected: 0 },
    ];
    expect(toFleetStatistics(rows, at)).toEqual({
      agents: { total: 5, connected: 2 },
      bySite: [
        { key: 'ams', total: 2, connected: 0 },
        { key: 'lon', total: 2, connected: 1 },
        { key: 'par', total: 1, connected: 1 },
      ],
      byOs: [
        { key: 'linux', total: 4, connected: 2 },
        { key: '', total: 1, connected: 0 },
      ],
      generatedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('answers zeros and no groups without a fleet row', () => {
    expect(toFleetStatistics([], at)).toEqual({ agents: { total: 0, connected: 0 }, bySite: [], byOs: [], generatedAt: at.toISOString() });
  });
});
