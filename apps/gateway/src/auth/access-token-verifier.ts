import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { JwtStrategy } from './jwt.strategy.js';
import type { Principal } from './principal.js';
import type { AccessClaims } from './token-issuer.js';

/**
 * An access token checked outside an HTTP request (the live-update stream's
 * auth frame) exactly as AccessGuard checks a Bearer token: the JwtModule's
 * verify options (HS256, issuer, audience, expiry), then JwtStrategy's check
 * that the user still exists and is enabled.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    private readonly jwt: JwtService,
    private readonly strategy: JwtStrategy,
  ) {}

  /** The principal and the token's expiry (ms since the epoch; null without `exp`), or null for a token that does not pass. */
  async verify(token: string): Promise<{ principal: Principal; expiresAt: number | null } | null> {
    let claims: Partial<AccessClaims> & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<Partial<AccessClaims> & { exp?: number }>(token);
    } catch {
      return null;
    }
    const principal = await this.strategy.validate(claims);
    return principal ? { principal, expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null } : null;
  }
}
