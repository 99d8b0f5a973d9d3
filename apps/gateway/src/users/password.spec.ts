import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';

// Cheap cost parameters keep the suite fast; the format carries them, so verify reads them back.
const cheap = { N: 1024, r: 8, p: 1 } as const;

describe('password hashing', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const stored = await hashPassword('correct horse battery', cheap);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts each hash, and records scrypt with its cost parameters', async () => {
    const a = await hashPassword('same', cheap);
    const b = await hashPassword('same', cheap);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    expect(a).not.toContain('same');
  });

  it('uses N=16384 by default', async () => {
    expect((await hashPassword('x')).split('$').slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
  });

  it('never matches a malformed stored hash', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$1024$8$1$c2FsdA',
      'bcrypt$1024$8$1$c2FsdA$aGFzaA',
      'scrypt$0$8$1$c2FsdA$aGFzaA',
      'scrypt$1024$8$1$c2FsdA$c2hvcnQ',
    ]) {
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });
});
