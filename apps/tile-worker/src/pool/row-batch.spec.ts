import { describe, expect, it } from 'vitest';
import { decodeRows, encodeRows, isRowBatch } from './row-batch.js';

describe('row batches', () => {
  const rows = [
    { site: 'eu', cpu: 1.5, up: true, extra: 'dropped' },
    { site: 'us', cpu: -0, up: false, extra: 'x' },
    { site: 'eu', cpu: Number.NaN, up: true, extra: 'y' },
    { site: 'ünï "quoted"', cpu: 1e300, up: false, extra: 'z' },
  ];
  const schema = { site: 'string', cpu: 'number', up: 'boolean' };

  it('round-trips a range of rows through shared columns and a per-batch dictionary, keeping only the schema fields', () => {
    const batch = encodeRows(rows, 1, 4, schema);
    expect(isRowBatch(batch)).toBe(true);
    expect(batch.fields['site']).toMatchObject({ type: 'string', dictionary: ['us', 'eu', 'ünï "quoted"'] });
    expect((batch.fields['cpu'] as { values: Float64Array }).values.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(decodeRows(structuredClone(batch))).toEqual(rows.slice(1).map(({ extra: _e, ...r }) => r));
  });

  it('handles an empty range', () => {
    expect(decodeRows(encodeRows(rows, 2, 2, schema))).toEqual([]);
    expect(isRowBatch(rows)).toBe(false);
  });
});
