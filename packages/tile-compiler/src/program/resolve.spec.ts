import { describe, expect, it } from 'vitest';
import { ProgramBuilder, type TileRef } from './builder.js';
import type { Schema } from './types.js';
import { describePlan } from './plan.js';
import { resolveProgram } from './resolve.js';
import { validateProgram } from './validate.js';

const compileJson = (json: unknown) => resolveProgram(validateProgram(json));

describe(validateProgram.name, () => {
  it.each([
    [{ version: 2, tiles: [] }, 'program, field "version": unsupported version 2'],
    [{ version: 1, tiles: [{ id: 'a b', kind: 'sink', input: 'x' }] }, 'tile "#0", field "id"'],
    [{ version: 1, tiles: [{ id: 's', kind: 'records', schema: { x: 'date' } }] }, 'tile "s", field "x": type must be number, string or boolean'],
    [
      { version: 1, tiles: [{ id: 's', kind: 'records', schema: { constructor: 'number' } }] },
      'tile "s", field "constructor": "constructor" is a reserved name',
    ],
    [{ version: 1, tiles: [{ id: 'm', kind: 'map', input: 's', fields: { y: 1 } }] }, 'tile "m", field "y": expression must be a string'],
    [
      { version: 1, tiles: [{ id: 'w', kind: 'window', input: 's', timeField: 't', size: 10, slide: 20, aggregates: { n: { op: 'count' } } }] },
      'tile "w", field "slide": must not exceed size',
    ],
    [
      { version: 1, tiles: [{ id: 'r', kind: 'reduce', input: 's', aggregates: { n: { op: 'median', expr: 'x' } } }] },
      'tile "r", field "n": unknown aggregate op',
    ],
    [{ version: 1, tiles: [{ id: 'x', kind: 'teleport' }] }, 'tile "x", field "kind": unknown tile kind'],
  ])('rejects malformed JSON %#', (json, message) => {
    expect(() => validateProgram(json)).toThrow(message);
  });
});

describe(resolveProgram.name, () => {
  it('derives every output schema', () => {
    const p = new ProgramBuilder();
    p.records({ host: 'string', site: 'string', cpu: 'number', t: 'number' }, { id: 'metrics' })
      .map({ site: 'site', load: 'cpu / 100', hot: 'cpu > 90' }, 'm')
      .groupBy(['site'], { n: { op: 'count' }, avg: { op: 'mean', expr: 'load' } }, 'g')
      .sink('out');
    expect(describePlan(compileJson(p.build()))).toBe(
      [
        'metrics=records() -> {host:s,site:s,cpu:n,t:n}',
        'm=map(metrics) [site=site; load=cpu / 100; hot=cpu > 90] -> {site:s,load:n,hot:b}',
        'g=groupBy(m) [n=count; avg=mean] -> {site:s,n:n,avg:n}',
        'out=sink(g) -> {site:s,n:n,avg:n}',
      ].join('\n'),
    );
  });

  it.each([
    [
      'a map reads a field its input lacks',
      (p: ProgramBuilder) => p.columns(['v'], { id: 'c' }).map({ w: 'v + disk' }, 'm').sink(),
      'tile "m", field "w": expression "v + disk": unknown field "disk"',
    ],
    [
      'a groupBy key is missing',
      (p: ProgramBuilder) =>
        p
          .columns(['v'], { id: 'c' })
          .map({ w: 'v' }, 'm')
          .filter('w > 0', 'f')
          .reduce({ s: { op: 'sum', expr: 'v' } }, 'r')
          .sink(),
      'tile "r", field "s": expression "v": unknown field "v"',
    ],
    ['a filter is not boolean', (p: ProgramBuilder) => p.columns(['v']).filter('v + 1', 'f').sink(), 'tile "f", field "predicate": predicate must be boolean'],
    [
      'a window time field is a string',
      (p: ProgramBuilder) =>
        p
          .records({ t: 'string' })
          .window({ timeField: 't', size: 5, aggregates: { n: { op: 'count' } } }, 'w')
          .sink(),
      'tile "w", field "t": must be number, input has string',
    ],
    [
      'merged branches disagree',
      (p: ProgramBuilder) => p.merge<Schema>([p.columns(['v'], { id: 'a' }), p.records({ v: 'string' }, { id: 'b' }) as TileRef<Schema>], 'mg').sink(),
      'tile "mg", field "v": merged inputs disagree',
    ],
  ])('rejects an incompatible chain where %s', (_why, build, message) => {
    const p = new ProgramBuilder();
    build(p);
    expect(() => compileJson(p.build())).toThrow(message);
  });

  it('rejects cycles, dangling inputs and programs without sinks', () => {
    expect(() =>
      compileJson({
        version: 1,
        tiles: [
          { id: 'a', kind: 'filter', input: 'b', predicate: 'true' },
          { id: 'b', kind: 'filter', input: 'a', predicate: 'true' },
          { id: 's', kind: 'sink', input: 'a' },
        ],
      }),
    ).toThrow('part of a cycle');
    expect(() => compileJson({ version: 1, tiles: [{ id: 's', kind: 'sink', input: 'nope' }] })).toThrow('tile "s", field "input": unknown input tile "nope"');
    expect(() => compileJson({ version: 1, tiles: [{ id: 'c', kind: 'columns', fields: ['v'] }] })).toThrow('program has no sink');
  });
});
