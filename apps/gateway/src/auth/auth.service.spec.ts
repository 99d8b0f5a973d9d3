import { UnauthorizedException } from '@nestjs/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock, MetricFactory } from '@fleetplane/service-kit';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import { sha256 } from '../crypto/secrets.js';
import { RateLimitedException } from '../http/rate-limited.exception.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { hashPassword, hashPasswordScrypt, verifyPassword } from '../users/password.js';
import { PasswordHasher } from '../users/password-hasher.js';
import type { UserRow, UsersRepository } from '../users/users.repository.js';
import { AuthService } from './auth.service.js';
import type { LoginRateLimiter, RateVerdict } from './login-rate-limiter.js';
import type { RefreshTokenRow, RefreshTokensRepository } from './refresh-tokens.repository.js';
import type { SessionEnder } from './session-ender.js';
import type { TokenIssuer, TokenPair } from './token-issuer.js';

const pair = (n: number): TokenPair => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, tokenType: 'Bearer', expiresIn: 900 });

const clock = new FakeClock();

function tokenRow(over: Partial<RefreshTokenRow>): RefreshTokenRow {
  return {
    id: 'tok-1',
    tokenHash: sha256('presented'),
    familyId: 'fam-1',
    userId: 'user-1',
    createdAt: clock.now(),
    expiresAt: new Date(clock.nowMs() + 3_600_000),
    revokedAt: null,
    replacedBy: null,
    ...over,
  };
}

describe(AuthService.name, () => {
  let user: UserRow;
  let token: RefreshTokenRow | null;
  let verdict: RateVerdict;
  let rotated: TokenPair | null;
  const audits: AuditEntry[] = [];
  const revokeFamily = vi.fn(() => Promise.resolve(2));
  const startFamily = vi.fn(() => Promise.resolve(pair(1)));
  const endOne = vi.fn(() => Promise.resolve(2));
  const recordLogin = vi.fn(() => Promise.resolve());
  let service: AuthService;

  beforeEach(async () => {
    audits.length = 0;
    revokeFamily.mockClear();
    startFamily.mockClear();
    endOne.mockClear();
    recordLogin.mockClear();
    user = {
      id: 'user-1',
      email: 'ops@example.com',
      // The default cost: a cheaper hash would be upgraded at every login.
      passwordHash: await hashPassword('right-password'),
      role: 'operator',
      createdAt: new Date(),
      disabledAt: null,
      lastLoginAt: null,
      sessionVersion: 3,
    };
    token = tokenRow({});
    verdict = { allowed: true };
    rotated = pair(2);
    const users = {
      findByEmail: (e: string) => Promise.resolve(e === user.email ? user : null),
      findById: (id: string) => Promise.resolve(id === user.id ? user : null),
      recordLogin,
      replacePasswordHash: (id: string, old: string, next: string) => {
        const swapped = id === user.id && user.passwordHash === old;
        if (swapped) user.passwordHash = next;
        return Promise.resolve(swapped);
      },
    };
    const refreshTokens = { findByHash: (h: string) => Promise.resolve(token && h === token.tokenHash ? token : null), revokeFamily };
    const tokens = { startFamily, rotate: () => Promise.resolve(rotated) };
    const limiter = { attempt: () => Promise.resolve(verdict) };
    const audit = {
      record: (e: AuditEntry) => {
        audits.push(e);
        return Promise.resolve();
      },
    };
    service = new AuthService(
      users as unknown as UsersRepository,
      new PasswordHasher(),
      refreshTokens as unknown as RefreshTokensRepository,
      tokens as unknown as TokenIssuer,
      { endOne } as unknown as SessionEnder,
      limiter as unknown as LoginRateLimiter,
      audit as unknown as AuditService,
      new GatewayMetrics(new MetricFactory('gateway')),
      clock,
    );
  });

  describe('login', () => {
    it('issues a new token family for the right password and audits the user', async () => {
      expect(await service.login({ email: 'ops@example.com', password: 'right-password' }, '10.0.0.1')).toEqual(pair(1));
      expect(startFamily).toHaveBeenCalledWith(expect.objectContaining({ id: 'user-1', sessionVersion: 3 }));
      expect(recordLogin).toHaveBeenCalledWith('user-1', clock.now());
      expect(audits).toEqual([expect.objectContaining({ action: 'auth.login', outcome: 'success', userId: 'user-1', ip: '10.0.0.1' })]);
    });

    it('replaces a scrypt hash with argon2id at the next successful login, and only then', async () => {
      user.passwordHash = await hashPasswordScrypt('right-password', { N: 1024, r: 8, p: 1 });
      const legacy = user.passwordHash;
      await expect(service.login({ email: 'ops@example.com', password: 'wrong' }, null)).rejects.toBeInstanceOf(UnauthorizedException);
      expect(user.passwordHash).toBe(legacy);
      await service.login({ email: 'ops@example.com', password: 'right-password' }, null);
      expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(await verifyPassword('right-password', user.passwordHash)).toBe(true);
      expect(audits.at(-1)).toMatchObject({ outcome: 'success', details: { passwordHashUpgraded: true } });
      // A current hash is left alone.
      const current = user.passwordHash;
      await service.login({ email: 'ops@example.com', password: 'right-password' }, null);
      expect(user.passwordHash).toBe(current);
    });

    it('gives an unknown email and a wrong password the same 401', async () => {
      const bad = await service.login({ email: 'ops@example.com', password: 'wrong' }, null).catch((e: unknown) => e);
      const unknown = await service.login({ email: 'who@example.com', password: 'wrong' }, null).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(UnauthorizedException);
      expect((bad as UnauthorizedException).getResponse()).toEqual((unknown as UnauthorizedException).getResponse());
      expect(audits.map((a) => [a.outcome, a.details?.reason])).toEqual([
        ['failed', 'bad_password'],
        ['failed', 'unknown_user'],
      ]);
      expect(JSON.stringify(audits)).not.toContain('wrong');
      expect(startFamily).not.toHaveBeenCalled();
    });

    it('refuses a disabled user with the same 401', async () => {
      user.disabledAt = new Date();
      await expect(service.login({ email: 'ops@example.com', password: 'right-password' }, null)).rejects.toBeInstanceOf(UnauthorizedException);
      expect(audits[0]?.details).toEqual({ reason: 'disabled' });
    });

    it('answers 429 with the time left before checking the password', async () => {
      verdict = { allowed: false, retryAfterSeconds: 42 };
      const err = await service.login({ email: 'ops@example.com', password: 'right-password' }, null).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedException);
      expect((err as RateLimitedException).retryAfterSeconds).toBe(42);
      expect((err as RateLimitedException).getStatus()).toBe(429);
      expect(audits[0]).toMatchObject({ outcome: 'denied', details: { reason: 'rate_limited' } });
      expect(startFamily).not.toHaveBeenCalled();
    });
  });

  describe('refresh', () => {
    it('rotates a live token', async () => {
      expect(await service.refresh({ refreshToken: 'presented' }, null)).toEqual(pair(2));
      expect(revokeFamily).not.toHaveBeenCalled();
      expect(audits[0]).toMatchObject({ action: 'auth.refresh', outcome: 'success', userId: 'user-1' });
    });

    it('revokes the family when a rotated token comes back', async () => {
      token = tokenRow({ replacedBy: 'tok-2', revokedAt: new Date() });
      await expect(service.refresh({ refreshToken: 'presented' }, null)).rejects.toBeInstanceOf(UnauthorizedException);
      expect(revokeFamily).toHaveBeenCalledWith('fam-1', expect.any(Date));
      expect(audits[0]).toMatchObject({ outcome: 'denied', details: { reason: 'reuse' } });
    });

    it('treats losing a rotation race as reuse', async () => {
      rotated = null;
      await expect(service.refresh({ refreshToken: 'presented' }, null)).rejects.toBeInstanceOf(UnauthorizedException);
      expect(revokeFamily).toHaveBeenCalledWith('fam-1', expect.any(Date));
    });

    it('refuses unknown, expired and logged-out tokens without touching the family', async () => {
      await expect(service.refresh({ refreshToken: 'never-issued' }, null)).rejects.toBeInstanceOf(UnauthorizedException);
      token = tokenRow({ expiresAt: new Date(clock.nowMs() - 1) });
      await expect(service.refresh({ refreshToken: 'presented' }, null)).rejects.toBeInstanceOf(UnauthorizedException);
      token = tokenRow({ revokedAt: new Date() });
      await expect(service.refresh({ refreshToken: 'presented' }, null)).rejects.toBeInstanceOf(UnauthorizedException);
      expect(revokeFamily).not.toHaveBeenCalled();
      expect(audits.map((a) => a.details?.reason)).toEqual(['unknown_token', 'expired', 'revoked']);
    });

    it('ends the family of a disabled user', async () => {
      user.disabledAt = new Date();
      await expect(service.refresh({ refreshToken: 'presented' }, null)).rejects.toBeInstanceOf(UnauthorizedException);
      expect(revokeFamily).toHaveBeenCalledWith('fam-1', expect.any(Date));
    });
  });

  it("logout ends the known token's session (family, access tokens, streams) and quietly ignores an unknown one", async () => {
    await service.logout({ refreshToken: 'presented' }, null);
    expect(endOne).toHaveBeenCalledWith('user-1', 'fam-1');
    await service.logout({ refreshToken: 'unknown' }, null);
    expect(audits.map((a) => a.outcome)).toEqual(['success', 'failed']);
  });
});
