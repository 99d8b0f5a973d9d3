import { describe, expect, it } from 'vitest';
import { pgArray } from './pg-array.js';

describe('pgArray', () => {
  it('quotes text, escapes quotes and backslashes, keeps numbers and NULL as they are', () => {
    expect(pgArray(['web-1', 'a "b" \\c', '', '{x,y}'])).toBe('{"web-1","a \\"b\\" \\\\c","","{x,y}"}');
    expect(pgArray([1, 2.5, -1e-7, null, Number.NaN])).toBe('{1,2.5,-1e-7,NULL,NaN}');
    expect(pgArray([])).toBe('{}');
  });
});
