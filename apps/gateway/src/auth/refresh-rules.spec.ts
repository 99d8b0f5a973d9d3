import { describe, expect, it } from 'vitest';
import { judgeRefreshToken } from './refresh-rules.js';

const now = new Date('2026-01-01T12:00:00Z');
const later = new Date('2026-01-02T12:00:00Z');
const earlier = new Date('2026-01-01T11:00:00Z');

describe(judgeRefreshToken.name, () => {
  it('rotates a live, unrotated token', () => {
    expect(judgeRefreshToken({ expiresAt: later, revokedAt: null, replacedBy: null }, now)).toBe('rotate');
  });

  it('calls a rotated token reuse, even when it is also revoked or expired', () => {
    expect(judgeRefreshToken({ expiresAt: later, revokedAt: earlier, replacedBy: 'next' }, now)).toBe('reuse');
    expect(judgeRefreshToken({ expiresAt: earlier, revokedAt: earlier, replacedBy: 'next' }, now)).toBe('reuse');
  });

  it('refuses a revoked token (logout, family revoked) without calling it reuse', () => {
    expect(judgeRefreshToken({ expiresAt: later, revokedAt: earlier, replacedBy: null }, now)).toBe('revoked');
  });

  it('refuses an expired token, expiry instant included', () => {
    expect(judgeRefreshToken({ expiresAt: earlier, revokedAt: null, replacedBy: null }, now)).toBe('expired');
    expect(judgeRefreshToken({ expiresAt: now, revokedAt: null, replacedBy: null }, now)).toBe('expired');
  });
});
