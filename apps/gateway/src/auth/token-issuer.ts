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

/** Claims of an access token. The role is read from the database on use, not from here. */
export interface AccessClaims {
  sub: string;
  typ: 'access';
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

  async accessToken(userId: string): Promise<string> {
    const claims: AccessClaims = { sub: userId, typ: 'access' };
    // An explicit iat: jsonwebtoken counts `exp` from it instead of reading the system clock itself.
    const iat = Math.floor(this.clock.nowMs() / 1000);
    return this.jwt.signAsync({ ...claims, iat }, { expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS });
  }

  /** A new rotation chain, started by a login. */
  async startFamily(userId: string): Promise<TokenPair> {
    const refreshToken = randomSecret();
    const expiresAt = this.refreshExpiry(this.clock.now());
    await this.refreshTokens.create({ tokenHash: sha256(refreshToken), familyId: randomUUID(), userId, expiresAt });
    return this.pair(userId, refreshToken);
  }

  /** The successor of a refresh token, or null when it was rotated or revoked meanwhile. */
  async rotate(old: { id: string; familyId: string; userId: string }, now: Date): Promise<TokenPair | null> {
    const refreshToken = randomSecret();
    const next = { tokenHash: sha256(refreshToken), familyId: old.familyId, userId: old.userId, expiresAt: this.refreshExpiry(now) };
    if (!(await this.refreshTokens.rotate(old.id, next, now))) return null;
    return this.pair(old.userId, refreshToken);
  }

  private async pair(userId: string, refreshToken: string): Promise<TokenPair> {
    return { accessToken: await this.accessToken(userId), refreshToken, tokenType: 'Bearer', expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS };
  }

  private refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
  }
}
