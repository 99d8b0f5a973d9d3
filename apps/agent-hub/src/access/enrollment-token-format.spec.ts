import { describe, expect, it } from 'vitest';
import { hashEnrollmentSecret, newEnrollmentToken, parseEnrollmentToken, secretMatches } from './enrollment-token-format.js';

describe('enrollment token format', () => {
  it('parses back into the prefix it was stored under and a secret matching its hash', () => {
    for (let i = 0; i < 50; i++) {
      const t = newEnrollmentToken();
      const parsed = parseEnrollmentToken(t.token);
      expect(parsed?.prefix).toBe(t.prefix);
      expect(secretMatches(parsed!.secret, t.secretHash)).toBe(true);
    }
  });

  it('never stores the secret itself', () => {
    const t = newEnrollmentToken();
    expect(t.token).not.toContain(t.secretHash);
    expect(t.secretHash).toBe(hashEnrollmentSecret(parseEnrollmentToken(t.token)!.secret));
  });

  it('refuses anything that is not fpe_<12 hex>_<43 base64url>', () => {
    const good = newEnrollmentToken().token;
    for (const bad of [
      '',
      'fpe_',
      good.slice(0, -1),
      `${good}x`,
      good.replace('fpe_', 'fp_'),
      good.replace(/^fpe_[0-9a-f]/, 'fpe_G'),
      'agent-credential-0123456789abcdef',
    ])
      expect(parseEnrollmentToken(bad), bad).toBeNull();
  });

  it('does not match another secret or a malformed stored hash', () => {
    const a = newEnrollmentToken();
    const b = newEnrollmentToken();
    expect(secretMatches(parseEnrollmentToken(b.token)!.secret, a.secretHash)).toBe(false);
    expect(secretMatches(parseEnrollmentToken(a.token)!.secret, '')).toBe(false);
  });
});
