import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * `fpe_<prefix>_<secret>`: the prefix (12 hex characters) finds the row and
 * tells tokens apart in listings; the secret (32 random bytes, base64url) is
 * only ever stored as its SHA-256. The prefix holds no `_`, so the first two
 * underscores split the token even when the secret has one.
 */
const TOKEN_PATTERN = /^fpe_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewEnrollmentToken {
  prefix: string;
  secretHash: string;
  /** What the admin is shown once. */
  token: string;
}

// SHA-256 suffices for 256 random bits (nothing to brute-force), as for agent credentials.
export const hashEnrollmentSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export function newEnrollmentToken(): NewEnrollmentToken {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { prefix, secretHash: hashEnrollmentSecret(secret), token: `fpe_${prefix}_${secret}` };
}

/** The prefix and secret of a well-formed token, else null. */
export function parseEnrollmentToken(token: string): { prefix: string; secret: string } | null {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { prefix: m[1]!, secret: m[2]! } : null;
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashEnrollmentSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
