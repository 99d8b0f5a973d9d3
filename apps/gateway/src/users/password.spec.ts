import { describe, expect, it } from 'vitest';
import { ARGON2_COST, hashPassword, hashPasswordScrypt, needsRehash, verifyPassword } from './password.js';

// Cheap cost parameters keep the suite fast; the format carries them, so verify reads them back.
const cheap = { m: 64, t: 1, p: 1 } as const;
const cheapScrypt = { N: 1024, r: 8, p: 1 } as const;

describe('password hashing', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const stored = await hashPassword('correct horse battery', cheap);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts each hash, and records argon2id with its cost parameters in the PHC format', async () => {
    const a = await hashPassword('same', cheap);
    const b = await hashPassword('same', cheap);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toContain('same');
  });

  it("uses at least OWASP's argon2id parameters by default (19 MiB, 2 passes, 1 lane)", async () => {
    expect(ARGON2_COST.m).toBeGreaterThanOrEqual(19 * 1024);
    expect(ARGON2_COST.t).toBeGreaterThanOrEqual(2);
    expect((await hashPassword('x')).split('$').slice(1, 4)).toEqual(['argon2id', 'v=19', `m=${ARGON2_COST.m},t=${ARGON2_COST.t},p=${ARGON2_COST.p}`]);
  });

  it('still verifies the scrypt hashes stored before argon2id', async () => {
    const legacy = await hashPasswordScrypt('old password here', cheapScrypt);
    expect(legacy).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('old password here', legacy)).toBe(true);
    expect(await verifyPassword('old password herE', legacy)).toBe(false);
  });

  it('asks for a rehash of scrypt and of argon2id below the current cost, not of a current hash', async () => {
    expect(needsRehash(await hashPasswordScrypt('x', cheapScrypt))).toBe(true);
    expect(needsRehash(await hashPassword('x', cheap))).toBe(true);
    expect(needsRehash(await hashPassword('x', cheap), cheap)).toBe(false);
    expect(needsRehash('garbage')).toBe(true);
  });

  it('never matches a malformed stored hash', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$1024$8$1$c2FsdA',
      'bcrypt$1024$8$1$c2FsdA$aGFzaA',
      'scrypt$0$8$1$c2FsdA$aGFzaA',
      'scrypt$1024$8$1$c2FsdA$c2hvcnQ',
      '$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$c2hvcnQ',
      '$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });
});
