import type { z } from 'zod';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import type { GatewayConfig } from '../config.js';
import { randomSecret, sha256 } from '../crypto/secrets.js';
import type { tokenPair } from './auth.schemas.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

/** The answer of login and refresh: `tokenPair` in auth.schemas.ts, inferred. */
export type TokenPair = z.infer<typeof tokenPair>;

/**
 * Claims of an access token. The role is read from the database on use, not from here;
 * `sid` and `sv` let that same read refuse a token whose session was ended.
 */
export interface AccessClaims {
  sub: string;
  typ: 'access';
  /** The session: the refresh-token family the token was issued with. */
  sid: string;
  /** The user's sessionVersion at issue; a bump ends every token issued before it. */
  sv: number;
}

/** Whom a token pair is for. */
export interface SessionOwner {
  id: string;
  sessionVersion: number;
}

/** Signs access tokens and mints refresh tokens, of which only the SHA-256 is stored. */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly jwt: JwtService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: Pick<GatewayConfig, 'ACCESS_TOKEN_TTL_SECONDS' | 'REFRESH_TOKEN_TTL_SECONDS'>,
  ) {}

  async accessToken(user: SessionOwner, sid: string): Promise<string> {
    const claims: AccessClaims = { sub: user.id, typ: 'access', sid, sv: user.sessionVersion };
    // An explicit iat: jsonwebtoken counts `exp` from it instead of reading the system clock itself.
    const iat = Math.floor(this.clock.nowMs() / 1000);
    return this.jwt.signAsync({ ...claims, iat }, { expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS });
  }

  /** A new rotation chain (a session), started by a login. */
  async startFamily(user: SessionOwner): Promise<TokenPair> {
    const refreshToken = randomSecret();
    const expiresAt = this.refreshExpiry(this.clock.now());
    const familyId = randomUUID();
    await this.refreshTokens.create({ tokenHash: sha256(refreshToken), familyId, userId: user.id, expiresAt });
    return this.pair(user, familyId, refreshToken);
  }

  /** The successor of a refresh token, or null when it was rotated or revoked meanwhile. */
  async rotate(old: { id: string; familyId: string }, user: SessionOwner, now: Date): Promise<TokenPair | null> {
    const refreshToken = randomSecret();
    const next = { tokenHash: sha256(refreshToken), familyId: old.familyId, userId: user.id, expiresAt: this.refreshExpiry(now) };
    if (!(await this.refreshTokens.rotate(old.id, next, now))) return null;
    return this.pair(user, old.familyId, refreshToken);
  }

  private async pair(user: SessionOwner, sid: string, refreshToken: string): Promise<TokenPair> {
    return { accessToken: await this.accessToken(user, sid), refreshToken, tokenType: 'Bearer', expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS };
  }

  private refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
  }
}
