import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, keysetOrderBy, keysetWhere, MAX_PAGE_SIZE, pageSize, takePage } from './keyset.js';
import { InvalidPageTokenError, PageTokenCodec } from './page-token.js';

const codec = new PageTokenCodec(z.object({ key: z.coerce.date(), id: z.uuid() }), 'ListThings');
const cursor = { key: new Date('2026-11-30T10:00:00.000Z'), id: '0b4c5f0e-8c55-4a53-9d1a-0f6f9a3b8f11' };

describe(PageTokenCodec.name, () => {
  it('round-trips a cursor within its scope', () => {
    expect(codec.decode(codec.encode(cursor, 'agent=a1'), 'agent=a1')).toEqual(cursor);
  });

  it('treats no token as the first page', () => {
    expect(codec.decode('')).toBeUndefined();
    expect(codec.decode(undefined)).toBeUndefined();
  });

  it('refuses a token for other filters, garbage, and another listing’s cursor', () => {
    expect(() => codec.decode(codec.encode(cursor, 'agent=a1'), 'agent=a2')).toThrow('was issued for different filters');
    expect(() => codec.decode('%%%not-base64')).toThrow(InvalidPageTokenError);
    const other = new PageTokenCodec(z.object({ after: z.string() }), 'ListOther');
    expect(() => codec.decode(other.encode({ after: 'x' }))).toThrow('is not a token from ListThings');
  });
});

describe('keyset paging', () => {
  it('clamps page sizes', () => {
    expect(pageSize(undefined)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSize(0)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSize(10)).toBe(10);
    expect(pageSize(10_000)).toBe(MAX_PAGE_SIZE);
  });

  it('continues after the cursor in (field, id) order', () => {
    expect(keysetWhere(undefined, { field: 'at', direction: 'desc' })).toEqual({});
    expect(keysetWhere(cursor, { field: 'at', direction: 'desc' })).toEqual({
      OR: [{ at: { lt: cursor.key } }, { at: cursor.key, id: { lt: cursor.id } }],
    });
    expect(keysetWhere(cursor, { direction: 'asc' })).toEqual({ id: { gt: cursor.id } });
    expect(keysetOrderBy({ field: 'at', direction: 'desc' })).toEqual([{ at: 'desc' }, { id: 'desc' }]);
    expect(keysetWhere({ key: 5, id: 'c1' }, { field: 'createdAt', idField: 'commandId', direction: 'desc' })).toEqual({
      OR: [{ createdAt: { lt: 5 } }, { createdAt: 5, commandId: { lt: 'c1' } }],
    });
    expect(keysetOrderBy({ idField: 'commandId', direction: 'asc' })).toEqual([{ commandId: 'asc' }]);
  });

  it('reports a next page only when one more row exists', () => {
    expect(takePage([1, 2, 3], 3, (n) => n)).toEqual({ items: [1, 2, 3] });
    expect(takePage([1, 2, 3, 4], 3, (n) => n)).toEqual({ items: [1, 2, 3], next: 3 });
  });
});
