import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './database-url.js';

describe('parseDatabaseUrl', () => {
  it('splits a URL into discrete fields, decoding credentials', () => {
    expect(parseDatabaseUrl('postgresql://app:p%40ss@db.local:6543/fleet_agents')).toEqual({
      host: 'db.local',
      port: 6543,
      user: 'app',
      password: 'p@ss',
      database: 'fleet_agents',
    });
  });

  it('defaults the port and accepts postgres:// and ?schema=public', () => {
    expect(parseDatabaseUrl('postgres://u@localhost/x?schema=public')).toMatchObject({ port: 5432, database: 'x' });
  });

  it('rejects what it cannot honour', () => {
    expect(() => parseDatabaseUrl('not a url')).toThrow(/DATABASE_URL/);
    expect(() => parseDatabaseUrl('mysql://u@h/x')).toThrow(/postgresql/);
    expect(() => parseDatabaseUrl('postgresql://u@h:5432')).toThrow(/no database/);
    expect(() => parseDatabaseUrl('postgresql://u@h/x?schema=tenant')).toThrow(/schema=tenant/);
  });
});
