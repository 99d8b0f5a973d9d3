import { describe, expect, it } from 'vitest';
import { compile } from '@fleetplane/tile-compiler';
import { decodeTelemetry } from './telemetry-binding.js';
import { parseInstant } from './relative-time.js';
import { telemetryFields } from './telemetry-fields.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const query = (q: object) => ({ agents: { agentIds: [], site: '', labels: {}, all: true }, metrics: [], from: '', to: '', resolution: '', ...q });
const tile = (schema: Record<string, string>) =>
  compile({
    version: 1,
    tiles: [
      { id: 's', kind: 'records', schema },
      { id: 'o', kind: 'sink', input: 's' },
    ],
  }).original.nodes[0]!;

describe('parseInstant', () => {
  it('reads relative offsets before now and RFC 3339 instants', () => {
    expect(parseInstant('-1h', NOW, 0)).toBe(NOW - 3_600_000);
    expect(parseInstant('-30m', NOW, 0)).toBe(NOW - 1_800_000);
    expect(parseInstant('-7d', NOW, 0)).toBe(NOW - 7 * 86_400_000);
    expect(parseInstant('-90s', NOW, 0)).toBe(NOW - 90_000);
    expect(parseInstant('2026-12-01T10:00:00Z', NOW, 0)).toBe(Date.UTC(2026, 11, 1, 10));
    expect(parseInstant('', NOW, 42)).toBe(42);
  });

  it.each(['1h', '-1w', 'yesterday', '2026-12-01', '-h'])('refuses %s', (v) => {
    expect(() => parseInstant(v, NOW, 0)).toThrow(/RFC 3339 date-time or relative/);
  });
});

describe('telemetryFields', () => {
  it('maps fixed fields, short and catalogue metric names, and _min/_max/_last', () => {
    const { fields, metrics } = telemetryFields({ agentId: 'string', site: 'string', t: 'number', cpu: 'number', cpu_max: 'number', load1: 'number' });
    expect(metrics).toEqual(['cpu_percent', 'load1']);
    expect(fields.map((f) => (f.kind === 'metric' ? `${f.name}=${f.metric}.${f.agg}@${f.index}` : `${f.name}=${f.kind}`))).toEqual([
      'agentId=agentId',
      'site=site',
      't=t',
      'cpu=cpu_percent.avg@0',
      'cpu_max=cpu_percent.max@0',
      'load1=load1.avg@1',
    ]);
  });

  it('refuses a field of the wrong type or one no point supplies', () => {
    expect(() => telemetryFields({ t: 'string' })).toThrow('field "t": is a number in telemetry rows, the tile says string');
    expect(() => telemetryFields({ host: 'string' })).toThrow('field "host": a metric is a number, the tile says string');
    expect(() => telemetryFields({ Host: 'number' })).toThrow('field "Host": not a telemetry field');
  });
});

describe('decodeTelemetry', () => {
  it('resolves a relative range once, keeping what was asked for the cache key', () => {
    const q = decodeTelemetry(query({ from: '-1h', metrics: ['cpu'] }), tile({ site: 'string', cpu: 'number' }), NOW, 'sources[0].telemetry');
    expect(q).toMatchObject({
      from: new Date(NOW - 3_600_000).toISOString(),
      to: new Date(NOW).toISOString(),
      asked: { from: '-1h', to: '' },
      resolution: 'auto',
      metrics: ['cpu_percent'],
    });
  });

  it('refuses, naming the field', () => {
    const node = tile({ cpu: 'number' });
    const refused = (q: object) => () => decodeTelemetry(query(q), node, NOW, 'sources[0].telemetry');
    expect(refused({ from: '-1h', to: '-2h' })).toThrow('sources[0].telemetry.from: must be before to');
    expect(refused({ resolution: '5m' })).toThrow('sources[0].telemetry.resolution: must be one of auto, raw, 1m, 1h');
    expect(refused({ metrics: ['disk'] })).toThrow('sources[0].telemetry.metrics: tile "s" reads cpu_percent, which the binding does not list');
    expect(refused({ agents: { agentIds: [], site: '', labels: {}, all: false } })).toThrow(
      'sources[0].telemetry.agents: name agent_ids, a site, labels, or all',
    );
    expect(() => decodeTelemetry(query({}), tile({ agentId: 'string' }), NOW, 'f')).toThrow('f: tile "s": names no metric field');
  });
});
