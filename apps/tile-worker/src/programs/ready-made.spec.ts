import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '@fleetplane/tile-compiler';

// The two ready-made programs of the README (apps/tile-worker/programs/), checked against a direct
// computation in plain JavaScript, in one thread and partitioned as the pool runs them.

const load = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../programs/${name}.json`, import.meta.url), 'utf8'));

describe('p95-cpu-per-site.json', () => {
  const program = compile(load('p95-cpu-per-site'));

  /** Nearest-rank p95 rounded up to the program's 5-point buckets: the smallest bound B with 95 % of samples <= B. */
  const expectedP95 = (cpus: number[]) => {
    for (let b = 5; b < 100; b += 5) if (cpus.length * 0.95 <= cpus.filter((c) => c <= b).length) return b;
    return 100;
  };

  it('gives each site its sample count, mean and p95 (to the next 5 points), sorted by site, on 1 and 3 partitions', () => {
    const sample = fc.record({ site: fc.constantFrom('eu-1', 'us-2', 'ap-3'), cpu: fc.integer({ min: 0, max: 100 }) });
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 300 }), (samples) => {
        const sites = [...new Set(samples.map((s) => s.site))].sort();
        const expected = sites.map((site) => {
          const cpus = samples.filter((s) => s.site === site).map((s) => s.cpu);
          return { site, samples: cpus.length, meanCpu: cpus.reduce((a, b) => a + b, 0) / cpus.length, p95Cpu: expectedP95(cpus) };
        });
        expect(program.run({ samples }).out).toEqual(expected);
        expect(program.run({ samples }, { partitions: 3 }).out).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('puts a site with 5 % of its samples at 100 % CPU at the bound below, and one with more at 100', () => {
    const at = (site: string, cpu: number, n: number) => Array.from({ length: n }, () => ({ site, cpu }));
    const out = program.run({ samples: [...at('a', 42, 95), ...at('a', 100, 5), ...at('b', 42, 94), ...at('b', 100, 6)] }).out;
    expect(out?.map((r) => [r['site'], r['p95Cpu']])).toEqual([
      ['a', 45],
      ['b', 100],
    ]);
  });
});

describe('disk-growth-over-1pct-per-hour.json', () => {
  const program = compile(load('disk-growth-over-1pct-per-hour'));
  const HOUR = 3_600_000;
  const start = Date.UTC(2026, 11, 1, 12);

  it('finds the agents whose disk use grows faster than 1 %/h (least-squares slope), fastest first', () => {
    const slopes: Record<string, number> = { steady: 0, slow: 0.5, edge: 0.999, fast: 1.5, faster: 3.25 };
    // One sample a minute for an hour, exactly on the line.
    const samples = Object.entries(slopes).flatMap(([agentId, slope]) =>
      Array.from({ length: 60 }, (_, i) => ({ agentId, t: start + i * 60_000, disk: 40 + slope * (i / 60) })),
    );
    for (const partitions of [1, 4]) {
      const out = program.run({ samples }, { partitions }).out ?? [];
      expect(out.map((r) => r['agentId'])).toEqual(['faster', 'fast']);
      expect(out[0]?.['growthPerHour']).toBeCloseTo(3.25, 4);
      expect(out[1]?.['growthPerHour']).toBeCloseTo(1.5, 4);
      expect(out[0]?.['samples']).toBe(60);
    }
    // A single sample has no slope (0/0): never reported.
    expect(program.run({ samples: [{ agentId: 'lone', t: start + HOUR, disk: 99 }] }).out).toEqual([]);
  });
});
