import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeFetch } from '../test/fakes.js';
import { cliIn } from '../test/run-cli.js';

const summary = {
  total: 3,
  connected: 2,
  disconnected: 1,
  bySite: [
    { site: 'dc1', total: 2, connected: 2 },
    { site: '', total: 1, connected: 0 },
  ],
  byOs: [{ os: 'linux', total: 3, connected: 2 }],
  byVersion: [{ version: '1.2.0', total: 3, connected: 2 }],
  generatedAt: '2026-12-01T10:00:00.000Z',
};

describe('fleetplane agents list (filters) and agents summary', () => {
  let dir: string;
  const cli = (args: string[], body: unknown) => {
    const fetch = fakeFetch(() => ({ status: 200, body }));
    return { fetch, result: cliIn(dir, { FLEETPLANE_API_KEY: 'k' })(args, { fetch }) };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-registry-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sends every filter as the gateway names it, label and capability once per value', async () => {
    const { fetch, result } = cli(
      [
        'agents',
        'list',
        '--site',
        'dc1',
        '--label',
        'role=web',
        '--label',
        'tier=1',
        '--capability',
        'exec',
        '--capability',
        'docker',
        '--os',
        'linux',
        '--version',
        '1.2.0',
        '--disconnected',
        '--seen-before',
        '2026-12-01T10:00:00Z',
        '--seen-after',
        '2026-11-30T10:00:00Z',
      ],
      { agents: [], nextPageToken: null, total: null },
    );
    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    const q = new URL(`http://x${fetch.requests[0]!.path}`).searchParams;
    expect(q.getAll('label')).toEqual(['role=web', 'tier=1']);
    expect(q.getAll('capability')).toEqual(['exec', 'docker']);
    expect(Object.fromEntries([...q].filter(([k]) => k !== 'label' && k !== 'capability'))).toEqual({
      pageSize: '500',
      site: 'dc1',
      os: 'linux',
      version: '1.2.0',
      connected: 'false',
      seenBefore: '2026-12-01T10:00:00Z',
      seenAfter: '2026-11-30T10:00:00Z',
    });
  });

  it('refuses --connected with --disconnected, and a label without a value, before asking the gateway', async () => {
    const both = cli(['agents', 'list', '--connected', '--disconnected'], {});
    expect((await both.result).code).not.toBe(0);
    expect(both.fetch.requests).toHaveLength(0);
    const bad = cli(['agents', 'list', '--label', 'novalue'], {});
    expect((await bad.result).code).not.toBe(0);
    expect(bad.fetch.requests).toHaveLength(0);
  });

  it('prints the summary as a table, and as JSON', async () => {
    const table = cli(['agents', 'summary'], summary);
    const r = await table.result;
    expect(r.code, r.stderr).toBe(0);
    expect(table.fetch.requests[0]!.path).toBe('/agents/summary');
    expect(r.stdout).toMatch(/^3 agents, 2 connected, 1 disconnected\n/);
    expect(r.stdout).toMatch(/^site\s+dc1\s+2\s+2$/m);
    expect(r.stdout).toMatch(/^site\s+\(none\)\s+1\s+0$/m);
    expect(r.stdout).toMatch(/^version\s+1\.2\.0\s+3\s+2$/m);
    const json = await cli(['agents', 'summary', '--json'], summary).result;
    expect(JSON.parse(json.stdout)).toEqual(summary);
  });
});
