import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { ProgramBuilder } from './program/builder.js';
import { interpret } from './reference/interpret.js';

function p95Program() {
  const p = new ProgramBuilder();
  const m = p.records({ host: 'string', site: 'string', cpu: 'number', t: 'number' }, { id: 'metrics' });
  m.filter('t >= 0', 'recent')
    .map({ site: 'site', cpu: 'cpu', hot: 'cpu > 80' }, 'shape')
    .groupBy(['site'], { n: { op: 'count' }, peak: { op: 'max', expr: 'cpu' }, avg: { op: 'mean', expr: 'cpu' } }, 'bySite')
    .sort([{ field: 'site' }], 'sorted')
    .sink('out');
  m.window({ timeField: 't', size: 10, slide: 5, keys: ['site'], aggregates: { n: { op: 'count' } } }, 'win').sink('windows');
  m.map({ x: 'cpu * 2' }, 'unused');
  return p.build();
}

const rows = Array.from({ length: 50 }, (_, i) => ({ host: `h${i % 7}`, site: `s${i % 3}`, cpu: (i * 37) % 100, t: i }));

describe(compile.name, () => {
  it('runs a program and matches the naive interpretation, sequential and partitioned', () => {
    const c = compile(p95Program());
    const expected = interpret(c.original, { metrics: rows }).outputs;
    expect(c.run({ metrics: rows })).toEqual(expected);
    expect(c.run({ metrics: rows }, { partitions: 4 })).toEqual(expected);
    expect(expected['out']).toHaveLength(3);
  });

  it('explains passes, fused and parallel stages, memory and cost', () => {
    const text = compile(p95Program(), { sourceRows: { metrics: 10_000 } }).explain();
    expect(text).toContain('dead-tiles      removed 1 tile(s) reaching no sink: unused');
    expect(text).toContain('FUSED LOOP metrics => recent -> shape -> bySite');
    expect(text).toContain('data-parallel; combine: merge partial groups by key');
    expect(text).toContain('dropped unread fields shape.hot');
    expect(text).toMatch(/Memory: intermediates .*peak/);
    expect(text).toMatch(/Cost: .* ops/);
  });
});
