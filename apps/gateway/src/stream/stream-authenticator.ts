import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import type { Principal } from '../auth/principal.js';
import { RevocationEvents, type Revocation } from '../auth/revocation-events.js';
import { roleAllows } from '../auth/roles.js';
import { scopesOf, type Scope } from '../auth/scopes.js';
import type { StreamAuth, StreamCredentials, StreamIdentity } from './stream-ports.js';

/** What a stream shows: executions of commands. */
export const STREAM_SCOPE: Scope = 'commands:read';

/**
 * The REST guard's checks, applied to the credentials of an auth frame: the API
 * key through ApiKeysService (revoked, expired, owner disabled, its scopes), the
 * JWT through auth's AccessTokenVerifier (signature, issuer, audience, expiry,
 * user still enabled, session not ended). The same checks run again on every
 * revocation event that concerns the session, and on the session's timer.
 */
@Injectable()
export class StreamAuthenticator implements StreamAuth {
  constructor(
    private readonly accessTokens: AccessTokenVerifier,
    private readonly apiKeys: ApiKeysService,
    private readonly revocations: RevocationEvents,
  ) {}

  async authenticate(c: StreamCredentials): Promise<StreamIdentity | null> {
    const verified = c.apiKey !== undefined ? await this.apiKeys.verify(c.apiKey) : c.token !== undefined ? await this.accessTokens.verify(c.token) : null;
    return verified && this.identity(verified.principal, verified.expiresAt);
  }

  watch(principal: Principal, recheck: () => void): () => void {
    return this.revocations.listen((r) => {
      if (concerns(r, principal)) recheck();
    });
  }

  /** Every role from viewer up may stream (what it may read, it may watch); a key needs the stream's scope. */
  private identity(principal: Principal, expiresAt: number | null): StreamIdentity | null {
    return this.mayReadCommands(principal) ? { principal, expiresAt } : null;
  }

  /** GET /commands/{id}/executions/{eid}/output's own requirement, asked again for each output subscription. */
  mayReadCommands(principal: Principal): boolean {
    return roleAllows(principal.role, 'viewer') && scopesOf(principal).includes(STREAM_SCOPE);
  }

  /** GET /backup-jobs/{id}'s requirement (a key's backups:write implies it), asked for each backup subscription. */
  mayReadBackups(principal: Principal): boolean {
    return roleAllows(principal.role, 'viewer') && scopesOf(principal).includes('backups:read');
  }

  /** GET /alerts' requirement, asked for each alert subscription. */
  mayReadTelemetry(principal: Principal): boolean {
    return roleAllows(principal.role, 'viewer') && scopesOf(principal).includes('telemetry:read');
  }
}

/** Whether a revocation names the principal's user, key or session. */
export function concerns(r: Revocation, p: Principal): boolean {
  if (r.userId !== undefined && r.userId === p.userId) return true;
  if (p.kind === 'api_key') return r.apiKeyId !== undefined && r.apiKeyId === p.apiKeyId;
  return r.sid !== undefined && r.sid === p.sessionId;
}
