import { describe, expect, it } from 'vitest';
import { MetricFactory } from '@fleetplane/service-kit';
import { TileMetrics } from '../metrics/tile-metrics.js';
import { programHash } from './canonical-hash.js';
import { ProgramCache } from './program-cache.js';

const program = {
  version: 1,
  tiles: [
    { id: 'src', kind: 'records', schema: { a: 'number' } },
    { id: 'out', kind: 'sink', input: 'src' },
  ],
};

describe('ProgramCache', () => {
  const cache = () => new ProgramCache({ COMPILED_PROGRAMS: 4 }, new TileMetrics(new MetricFactory('tile-worker-spec')));

  it('hashes two spellings of one program alike (keys sorted), and the same text from its text hash', () => {
    const c = cache();
    const spelled = '{"tiles":[{"kind":"records","id":"src","schema":{"a":"number"}},{"input":"src","kind":"sink","id":"out"}],"version":1}';
    const a = c.hashOf(JSON.stringify(program), program);
    const b = c.hashOf(spelled, JSON.parse(spelled));
    expect(a).toBe(programHash(program));
    expect(b).toBe(a);
    // A repeat of the text is answered without canonicalising: a wrong object beside a known text keeps the text's hash.
    expect(c.hashOf(spelled, { version: 1, tiles: [] })).toBe(a);
  });

  it('compiles a program once per hash', () => {
    const c = cache();
    const hash = programHash(program);
    const first = c.get(hash, program);
    expect(c.get(hash, program)).toBe(first);
    expect(c.stats()).toEqual({ size: 1, hits: 1, misses: 1 });
  });
});
