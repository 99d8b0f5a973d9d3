import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { JwtStrategy } from '../auth/jwt.strategy.js';
import type { Principal } from '../auth/principal.js';
import { roleAllows } from '../auth/roles.js';
import type { AccessClaims } from '../auth/token-issuer.js';
import type { StreamAuth, StreamCredentials, StreamIdentity } from './stream-ports.js';

/**
 * The REST guards' checks, applied to the credentials of an auth frame: the API
 * key through ApiKeysService, the JWT through the JwtModule's verify options
 * (HS256, issuer, audience, expiry) and then JwtStrategy's own user check.
 */
@Injectable()
export class StreamAuthenticator implements StreamAuth {
  constructor(
    private readonly jwt: JwtService,
    private readonly jwtStrategy: JwtStrategy,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async authenticate(c: StreamCredentials): Promise<StreamIdentity | null> {
    if (c.apiKey !== undefined) return this.identity(await this.apiKeys.authenticate(c.apiKey), null);
    if (c.token === undefined) return null;
    let claims: Partial<AccessClaims> & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<Partial<AccessClaims> & { exp?: number }>(c.token);
    } catch {
      return null;
    }
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
    return this.identity(await this.jwtStrategy.validate(claims), expiresAt);
  }

  /** Every role from viewer up may stream (what it may read, it may watch). */
  private identity(principal: Principal | null, expiresAt: number | null): StreamIdentity | null {
    return principal && roleAllows(principal.role, 'viewer') ? { principal, expiresAt } : null;
  }
}
