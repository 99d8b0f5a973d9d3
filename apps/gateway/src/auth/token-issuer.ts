import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { randomSecret, sha256 } from './secrets.js';
import { randomUUID } from 'node:crypto';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

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
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async accessToken(userId: string): Promise<string> {
    const claims: AccessClaims = { sub: userId, typ: 'access' };
    return this.jwt.signAsync(claims, { expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS });
  }

  /** A new rotation chain, started by a login. */
  async startFamily(userId: string, now = new Date()): Promise<TokenPair> {
    const refreshToken = randomSecret();
    await this.refreshTokens.create({ tokenHash: sha256(refreshToken), familyId: randomUUID(), userId, expiresAt: this.refreshExpiry(now) });
    return this.pair(userId, refreshToken);
  }

  /** The successor of a refresh token, or null when it was rotated or revoked meanwhile. */
  async rotate(old: { id: string; familyId: string; userId: string }, now = new Date()): Promise<TokenPair | null> {
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
