import { describe, expect, it } from 'vitest';
import { toRegistryFilter } from './agent-filters.js';
import { listAgentsQuery } from './agents.schemas.js';

const parse = (q: Record<string, string | string[]>) => listAgentsQuery.safeParse(q);

describe('GET /agents filters → ListAgentsRequest', () => {
  it('sends proto3 empties for the filters not given', () => {
    expect(toRegistryFilter(listAgentsQuery.parse({}))).toEqual({
      site: '',
      labels: {},
      capabilities: [],
      os: '',
      version: '',
      connectedOnly: false,
      disconnectedOnly: false,
      lastSeenBefore: '',
      lastSeenAfter: '',
    });
  });

  it('reads one label or many, a value holding = kept whole', () => {
    expect(listAgentsQuery.parse({ label: 'role=web' }).label).toEqual({ role: 'web' });
    expect(listAgentsQuery.parse({ label: ['role=web', 'expr=a=b', 'empty='] }).label).toEqual({ role: 'web', expr: 'a=b', empty: '' });
    expect(listAgentsQuery.parse({ label: ['role=web', 'role=web'] }).label).toEqual({ role: 'web' });
  });

  it('maps connected=true and connected=false to one presence flag each', () => {
    expect(toRegistryFilter(listAgentsQuery.parse({ connected: 'true' }))).toMatchObject({ connectedOnly: true, disconnectedOnly: false });
    expect(toRegistryFilter(listAgentsQuery.parse({ connected: 'false' }))).toMatchObject({ connectedOnly: false, disconnectedOnly: true });
  });

  it('passes every filter through', () => {
    const q = listAgentsQuery.parse({
      site: 'lab',
      label: ['a=1', 'b=2'],
      capability: 'exec',
      os: 'linux',
      version: '1.0.0',
      seenBefore: '2026-01-02T00:00:00Z',
      seenAfter: '2026-01-01T00:00:00Z',
    });
    expect(toRegistryFilter(q)).toEqual({
      site: 'lab',
      labels: { a: '1', b: '2' },
      capabilities: ['exec'],
      os: 'linux',
      version: '1.0.0',
      connectedOnly: false,
      disconnectedOnly: false,
      lastSeenBefore: '2026-01-02T00:00:00Z',
      lastSeenAfter: '2026-01-01T00:00:00Z',
    });
  });

  it('refuses bad values, naming the parameter', () => {
    const field = (q: Record<string, string | string[]>) => parse(q).error?.issues[0]?.path.join('.');
    expect(field({ label: 'novalue' })).toBe('label');
    expect(field({ label: ['a=1', 'a=2'] })).toBe('label');
    expect(field({ label: 'bad name=x' })).toBe('label');
    expect(field({ capability: ['exec', ''] })).toBe('capability');
    expect(field({ capability: Array.from({ length: 17 }, (_, i) => `c${i}`) })).toBe('capability');
    expect(field({ seenAfter: 'today' })).toBe('seenAfter');
    expect(field({ includeTotal: '1' })).toBe('includeTotal');
  });
});
