import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new agent credential: 32 random bytes, base64url. Shown once, never stored. */
export const newAgentToken = (): string => randomBytes(32).toString('base64url');

/**
 * SHA-256 is enough for a 256-bit random token (there is nothing to brute-force);
 * a slow hash would only make every HELLO expensive.
 */
export const hashAgentToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

// Compared against when the agent is unknown, so an unknown id and a wrong
// token cost the same and cannot be told apart by timing.
const DECOY_HASH = hashAgentToken(newAgentToken());

/** Constant-time check of a presented token against a stored hash (null = unknown agent). */
export function tokenMatches(token: string, storedHash: string | null): boolean {
  const presented = Buffer.from(hashAgentToken(token), 'hex');
  const stored = Buffer.from(storedHash ?? DECOY_HASH, 'hex');
  if (stored.length !== presented.length) return false;
  return timingSafeEqual(presented, stored) && storedHash !== null;
}
