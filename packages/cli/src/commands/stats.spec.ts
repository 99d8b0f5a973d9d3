import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sparkline } from '../output/format-statistics.js';
import { fakeFetch } from '../test/fakes.js';
import { cliIn } from '../test/run-cli.js';

const statistics = {
  generatedAt: '2026-12-01T10:00:00.000Z',
  agents: {
    total: 3,
    connected: 2,
    bySite: [
      { site: 'dc1', total: 2, connected: 2 },
      { site: 'dc2', total: 1, connected: 0 },
    ],
    byOs: [{ os: 'linux', total: 3, connected: 2 }],
  },
  commands: { lastHour: { total: 5, byState: { COMPLETED: 4, FAILED: 1, QUEUED: 0 } }, lastDay: { total: 0, byState: {} } },
  executionsPerMinute: Array.from({ length: 60 }, (_, i) => ({
    minute: new Date(Date.parse('2026-12-01T09:00:00Z') + i * 60_000).toISOString(),
    count: i === 59 ? 4 : i === 58 ? 1 : 0,
  })),
  alerts: { firing: null },
};

describe('fleetplane stats', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-stats-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('summarises the Statistics answer in table mode', async () => {
    const fetch = fakeFetch(() => ({ status: 200, body: statistics }));
    const r = await cliIn(dir, { FLEETPLANE_API_KEY: 'k' })(['stats'], { fetch });
    expect(r.code, r.stderr).toBe(0);
    expect(fetch.requests[0]!.path).toBe('/statistics');
    expect(r.stdout).toMatch(/^agents:\s+3 \(2 connected\)$/m);
    expect(r.stdout).toMatch(/^commands, last hour:\s+5: COMPLETED 4, FAILED 1$/m);
    expect(r.stdout).toMatch(/^commands, last day:\s+0$/m);
    expect(r.stdout).toMatch(/^executions, last hour:\s+5 \(peak 4\/min\)$/m);
    expect(r.stdout).toMatch(/^alerts firing:\s+n\/a/m);
    expect(r.stdout).toMatch(/^SITE\s+AGENTS\s+CONNECTED\ndc1\s+2\s+2\ndc2\s+1\s+0\n/m);
    expect(r.stdout).toMatch(/^OS\s+AGENTS\s+CONNECTED\nlinux\s+3\s+2\n/m);
  });

  it('prints the same answer as YAML, and refuses a malformed one naming the field', async () => {
    const yaml = await cliIn(dir, { FLEETPLANE_API_KEY: 'k' })(['stats', '--output', 'yaml'], { fetch: fakeFetch(() => ({ status: 200, body: statistics })) });
    expect(yaml.stdout).toMatch(/^generatedAt: 2026-12-01T10:00:00.000Z\nagents:\n {2}total: 3\n/);
    expect(yaml.stdout).toContain('alerts:\n  firing: null\n');
    const bad = await cliIn(dir, { FLEETPLANE_API_KEY: 'k' })(['stats'], {
      fetch: fakeFetch(() => ({ status: 200, body: { ...statistics, agents: { total: 'many' } } })),
    });
    expect(bad.code).toBe(255);
    expect(bad.stderr).toMatch(/^fleetplane: GET \/statistics: unexpected response \(agents\.total: /);
  });

  it('draws one bar per minute relative to the busiest', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe(' ▁▂▄█');
    expect(sparkline([0, 0])).toBe('  ');
  });
});
