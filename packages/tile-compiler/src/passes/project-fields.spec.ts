import { describe, expect, it } from 'vitest';
import { describePlan } from '../program/plan.js';
import { projectUnusedFields } from './project-fields.js';
import { build } from './test-plans.js';

describe(projectUnusedFields.name, () => {
  it('drops fields and aggregates no one reads and narrows the source', () => {
    const plan = build((p) => {
      p.records({ host: 'string', site: 'string', cpu: 'number', disk: 'number' }, { id: 'm' })
        .map({ site: 'site', load: 'cpu / 100', spare: 'disk * 2' }, 'shape')
        .groupBy(['site'], { avg: { op: 'mean', expr: 'load' }, n: { op: 'count' } }, 'g')
        .map({ site: 'site', avg: 'avg' }, 'final')
        .sink('out');
    });
    const after = projectUnusedFields(plan);
    expect(describePlan(after)).toBe(
      [
        'm=records() -> {site:s,cpu:n}',
        'shape=map(m) [site=site; load=cpu / 100] -> {site:s,load:n}',
        'g=groupBy(shape) [avg=mean] -> {site:s,avg:n}',
        'final=map(g) [site=site; avg=avg] -> {site:s,avg:n}',
        'out=sink(final) -> {site:s,avg:n}',
      ].join('\n'),
    );
    expect(after.applied[0]?.summary).toBe('dropped unread fields g.n, shape.spare, m.host, m.disk');
  });
});
