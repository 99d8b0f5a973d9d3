import { describe, expect, it } from 'vitest';
import { migrationDirName, toSnakeName, utcTimestamp } from './migration-name.js';

describe('migration names', () => {
  it('uses the UTC timestamp Prisma uses', () => {
    expect(utcTimestamp(new Date(Date.UTC(2026, 10, 2, 3, 4, 5)))).toBe('20261102030405');
  });

  it('snake_cases human names', () => {
    expect(toSnakeName('Add OS version')).toBe('add_os_version');
    expect(toSnakeName('addOsVersion')).toBe('add_os_version');
    expect(toSnakeName('--init--')).toBe('init');
  });

  it('joins them, and refuses a name with nothing left', () => {
    expect(migrationDirName('init', new Date(Date.UTC(2026, 0, 1)))).toBe('20260101000000_init');
    expect(() => migrationDirName('!!!')).toThrow(/no letters or digits/);
  });
});
