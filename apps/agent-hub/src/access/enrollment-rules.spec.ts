import { describe, expect, it } from 'vitest';
import { enrollDecision, tokenStanding, type TokenState } from './enrollment-rules.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const token = (over: Partial<TokenState> = {}): TokenState => ({
  maxUses: 1,
  uses: 0,
  expiresAt: new Date(NOW.getTime() + 60_000),
  revokedAt: null,
  ...over,
});

describe('tokenStanding', () => {
  it('is usable before its expiry with uses left', () => {
    expect(tokenStanding(token(), NOW)).toBe('usable');
    expect(tokenStanding(token({ maxUses: 5, uses: 4 }), NOW)).toBe('usable');
  });

  it('is expired at its expiry instant and after', () => {
    expect(tokenStanding(token({ expiresAt: NOW }), NOW)).toBe('expired');
    expect(tokenStanding(token({ expiresAt: new Date(NOW.getTime() - 1) }), NOW)).toBe('expired');
  });

  it('is used up once uses reach maxUses', () => {
    expect(tokenStanding(token({ uses: 1 }), NOW)).toBe('exhausted');
    expect(tokenStanding(token({ maxUses: 3, uses: 3 }), NOW)).toBe('exhausted');
  });

  it('says revoked before expired or used up', () => {
    expect(tokenStanding(token({ revokedAt: NOW, uses: 1, expiresAt: NOW }), NOW)).toBe('revoked');
    expect(tokenStanding(token({ uses: 1, expiresAt: NOW }), NOW)).toBe('expired');
  });
});

describe('enrollDecision', () => {
  it('creates an unknown id whatever the token says', () => {
    expect(enrollDecision(null, false)).toBe('create');
    expect(enrollDecision(null, true)).toBe('create');
  });

  it('refuses an existing id unless the token allows re-enrollment', () => {
    expect(enrollDecision({ revokedAt: null }, false)).toBe('exists');
    expect(enrollDecision({ revokedAt: null }, true)).toBe('reenroll');
  });

  it('refuses a revoked agent even with a re-enroll token', () => {
    expect(enrollDecision({ revokedAt: NOW }, true)).toBe('revoked');
    expect(enrollDecision({ revokedAt: NOW }, false)).toBe('revoked');
  });
});
