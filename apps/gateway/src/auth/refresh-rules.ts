/** What a presented refresh token's row says about it. */
export interface RefreshTokenState {
  expiresAt: Date;
  revokedAt: Date | null;
  replacedBy: string | null;
}

export type RefreshVerdict =
  /** Issue a successor and retire this token. */
  | 'rotate'
  /** Already rotated: someone holds a copy. Revoke the whole family. */
  | 'reuse'
  | 'revoked'
  | 'expired';

/**
 * The rotation rules. Reuse is checked before revocation and expiry: a rotated token that
 * comes back is evidence of theft whatever else is true of it.
 */
export function judgeRefreshToken(token: RefreshTokenState, now: Date): RefreshVerdict {
  if (token.replacedBy !== null) return 'reuse';
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'rotate';
}
