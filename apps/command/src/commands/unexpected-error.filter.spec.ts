import { describe, expect, it } from 'vitest';
import { isDependencyUnavailable } from './unexpected-error.filter.js';

describe(isDependencyUnavailable.name, () => {
  it('recognises database and network outages', () => {
    expect(isDependencyUnavailable(Object.assign(new Error("Can't reach database server"), { code: 'P1001' }))).toBe(true);
    expect(isDependencyUnavailable(Object.assign(new Error('pool timeout'), { code: 'P2024' }))).toBe(true);
    expect(isDependencyUnavailable(Object.assign(new Error('x'), { name: 'PrismaClientInitializationError' }))).toBe(true);
    expect(isDependencyUnavailable(new Error('wrapped', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isDependencyUnavailable(new Error('Connection is closed.'))).toBe(true);
  });

  it('leaves bugs as bugs', () => {
    expect(isDependencyUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDependencyUnavailable(Object.assign(new Error('unique'), { code: 'P2002' }))).toBe(false);
    expect(isDependencyUnavailable(null)).toBe(false);
  });
});
