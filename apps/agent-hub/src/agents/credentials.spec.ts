import { describe, expect, it } from 'vitest';
import { hashAgentToken, newAgentToken, tokenMatches } from './credentials.js';

describe('agent credentials', () => {
  it('issues 32 random bytes as base64url', () => {
    const a = newAgentToken();
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newAgentToken()).not.toBe(a);
  });

  it('stores only a SHA-256 hex digest', () => {
    const token = newAgentToken();
    const hash = hashAgentToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token);
  });

  it('matches the right token only, and never an unknown agent', () => {
    const token = newAgentToken();
    const stored = hashAgentToken(token);
    expect(tokenMatches(token, stored)).toBe(true);
    expect(tokenMatches(newAgentToken(), stored)).toBe(false);
    expect(tokenMatches(token, null)).toBe(false);
    expect(tokenMatches(token, 'not-hex')).toBe(false);
  });
});
