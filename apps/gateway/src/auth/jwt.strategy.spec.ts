import { describe, expect, it } from 'vitest';
import type { User } from '../generated/prisma/client.js';
import type { UsersRepository } from '../users/users.repository.js';
import { JwtStrategy } from './jwt.strategy.js';
import type { SessionDenylist } from './session-denylist.js';

function setup(over: Partial<User> = {}) {
  const user: User = {
    id: 'u-1',
    email: 'ops@example.com',
    passwordHash: 'x',
    role: 'operator',
    createdAt: new Date(),
    disabledAt: null,
    lastLoginAt: null,
    sessionVersion: 4,
    ...over,
  };
  const denied = new Set<string>();
  let redisDown = false;
  const users = { findById: (id: string) => Promise.resolve(id === user.id ? user : null) };
  const denylist = { isDenied: (sid: string) => (redisDown ? Promise.reject(new Error('down')) : Promise.resolve(denied.has(sid))) };
  const strategy = new JwtStrategy({ JWT_SECRET: 'x'.repeat(32) }, users as unknown as UsersRepository, denylist as unknown as SessionDenylist);
  return { strategy, user, denied, breakRedis: () => (redisDown = true) };
}

const claims = { sub: 'u-1', typ: 'access' as const, sid: 'fam-1', sv: 4 };

describe(JwtStrategy.name, () => {
  it('answers the user with its current role and the session the token belongs to', async () => {
    const { strategy, user } = setup();
    user.role = 'viewer';
    expect(await strategy.validate(claims)).toEqual({ kind: 'user', userId: 'u-1', email: 'ops@example.com', role: 'viewer', sessionId: 'fam-1' });
  });

  it("refuses a token issued before the user's sessionVersion was bumped (disable, demotion, sessions ended)", async () => {
    const { strategy, user } = setup();
    user.sessionVersion = 5;
    expect(await strategy.validate(claims)).toBeNull();
    expect(await strategy.validate({ ...claims, sv: 5 })).not.toBeNull();
  });

  it('refuses a token whose session was ended on its own (logout, password change elsewhere)', async () => {
    const { strategy, denied } = setup();
    denied.add('fam-1');
    expect(await strategy.validate(claims)).toBeNull();
    expect(await strategy.validate({ ...claims, sid: 'fam-2' })).not.toBeNull();
  });

  it('refuses tokens without a session or version (issued before sessions existed), and disabled or unknown users', async () => {
    expect(await setup().strategy.validate({ sub: 'u-1', typ: 'access' })).toBeNull();
    expect(await setup().strategy.validate({ ...claims, sv: '4' as unknown as number })).toBeNull();
    expect(await setup({ disabledAt: new Date() }).strategy.validate(claims)).toBeNull();
    expect(await setup().strategy.validate({ ...claims, sub: 'u-2' })).toBeNull();
  });

  it('answers 503 rather than guess when the denylist cannot be read', async () => {
    const { strategy, breakRedis } = setup();
    breakRedis();
    await expect(strategy.validate(claims)).rejects.toMatchObject({ status: 503 });
  });
});
