import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import type { Principal } from '../auth/principal.js';
import { roleAllows } from '../auth/roles.js';
import type { StreamAuth, StreamCredentials, StreamIdentity } from './stream-ports.js';

/**
 * The REST guard's checks, applied to the credentials of an auth frame: the API
 * key through ApiKeysService, the JWT through auth's AccessTokenVerifier
 * (signature, issuer, audience, expiry, user still enabled).
 */
@Injectable()
export class StreamAuthenticator implements StreamAuth {
  constructor(
    private readonly accessTokens: AccessTokenVerifier,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async authenticate(c: StreamCredentials): Promise<StreamIdentity | null> {
    if (c.apiKey !== undefined) return this.identity(await this.apiKeys.authenticate(c.apiKey), null);
    if (c.token === undefined) return null;
    const verified = await this.accessTokens.verify(c.token);
    return verified && this.identity(verified.principal, verified.expiresAt);
  }

  /** Every role from viewer up may stream (what it may read, it may watch). */
  private identity(principal: Principal | null, expiresAt: number | null): StreamIdentity | null {
    return principal && roleAllows(principal.role, 'viewer') ? { principal, expiresAt } : null;
  }
}
