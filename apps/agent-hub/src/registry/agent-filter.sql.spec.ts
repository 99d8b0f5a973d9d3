import { describe, expect, it } from 'vitest';
import { filterConditions, whereSql } from './agent-filter.sql.js';
import { pageIdsSql } from './registry.repository.js';

const since = new Date('2026-01-01T00:00:00.000Z');
const CONNECTED = '(session_id IS NOT NULL AND last_seen_at IS NOT NULL AND last_seen_at >= $1)';

describe('agent filter → SQL', () => {
  it('matches every agent without a filter, and pages by id alone', () => {
    expect(whereSql({}, since).text).toBe('');
    const page = whereSql({}, since, 'web-9');
    expect([page.text, page.values]).toEqual(['WHERE id > $1', ['web-9']]);
  });

  it('maps each field to the condition its index serves, values always bound', () => {
    const cases: Array<[Parameters<typeof filterConditions>[0], string, unknown[]]> = [
      [{ site: 'par' }, 'site = $1', ['par']],
      [{ labels: { role: 'web', tier: '1' } }, 'labels @> $1::jsonb', ['{"role":"web","tier":"1"}']],
      [{ capabilities: ['exec', 'docker'] }, 'capabilities @> $1::text[]', [['exec', 'docker']]],
      [{ os: 'linux' }, 'os = $1', ['linux']],
      [{ version: '1.2.3' }, 'version = $1', ['1.2.3']],
      [{ connected: true }, CONNECTED, [since]],
      [{ connected: false }, `NOT ${CONNECTED}`, [since]],
      [{ seenBefore: since }, 'last_seen_at < $1', [since]],
      [{ seenAfter: since }, 'last_seen_at >= $1', [since]],
      [{ agentIds: ['a', 'b'] }, 'id = ANY($1::text[])', [['a', 'b']]],
    ];
    for (const [filter, sql, values] of cases) {
      const [only, ...rest] = filterConditions(filter, since);
      expect(rest, JSON.stringify(filter)).toEqual([]);
      expect([only?.text, only?.values], JSON.stringify(filter)).toEqual([sql, values]);
    }
  });

  it('ANDs the fields in one WHERE, the keyset condition last', () => {
    const w = whereSql({ site: 'par', labels: { role: 'web' }, os: 'linux', connected: true }, since, 'web-1');
    expect(w.text).toBe(`WHERE site = $1 AND labels @> $2::jsonb AND os = $3 AND ${CONNECTED.replace('$1', '$4')} AND id > $5`);
    expect(w.values).toEqual(['par', '{"role":"web"}', 'linux', since, 'web-1']);
  });

  it('leaves out empty labels and capabilities rather than matching nothing', () => {
    expect(filterConditions({ labels: {}, capabilities: [] }, since)).toEqual([]);
  });

  it('cannot be steered by a label value: it travels as JSON in a parameter', () => {
    const w = whereSql({ labels: { role: "x') OR true --" } }, since);
    expect(w.text).toBe('WHERE labels @> $1::jsonb');
    expect(w.values).toEqual(['{"role":"x\') OR true --"}']);
  });

  it('reads one page of ids in id order, the limit bound too', () => {
    const q = pageIdsSql({ os: 'linux' }, since, 'a-1', 51);
    expect([q.text, q.values]).toEqual(['SELECT id FROM agents WHERE os = $1 AND id > $2 ORDER BY id LIMIT $3', ['linux', 'a-1', 51]]);
  });
});
