/**
 * The rules of enrolling with a token, as pure functions: the enrollment
 * transaction applies them to the rows it read, and the unit tests pin them.
 */

export interface TokenState {
  maxUses: number;
  uses: number;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Why a token cannot be used now; `usable` when it can. Revoked wins over expired, expired over used up. */
export type TokenStanding = 'usable' | 'revoked' | 'expired' | 'exhausted';

export function tokenStanding(token: TokenState, now: Date): TokenStanding {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (token.uses >= token.maxUses) return 'exhausted';
  return 'usable';
}

export interface ExistingAgent {
  revokedAt: Date | null;
}

/**
 * What enrolling an id does. A new id is created. An existing one is refused
 * unless the token allows re-enrollment: re-enrolling rotates the credential,
 * and doing that silently would lock a running agent out. A revoked agent is
 * refused even then (an admin deletes it first), so a leaked re-enroll token
 * cannot undo a revocation.
 */
export type EnrollDecision = 'create' | 'reenroll' | 'exists' | 'revoked';

export function enrollDecision(existing: ExistingAgent | null, allowReenroll: boolean): EnrollDecision {
  if (!existing) return 'create';
  if (existing.revokedAt) return 'revoked';
  return allowReenroll ? 'reenroll' : 'exists';
}
