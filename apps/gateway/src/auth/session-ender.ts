import { Injectable } from '@nestjs/common';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import type { GatewayConfig } from '../config.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { RevocationEvents } from './revocation-events.js';
import { SessionDenylist } from './session-denylist.js';

/**
 * Ends sessions: their refresh tokens (database), their access tokens (the user's
 * sessionVersion, or the Redis denylist for single sessions) and their open streams
 * (a credentials.revoked event to every instance). The event goes out last, once
 * the change is visible, so a stream that re-checks on it sees the change.
 */
@Injectable()
export class SessionEnder {
  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly denylist: SessionDenylist,
    private readonly events: RevocationEvents,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: Pick<GatewayConfig, 'ACCESS_TOKEN_TTL_SECONDS'>,
  ) {}

  /**
   * Every session of the user, ended by the caller in the database: the transaction of
   * its change bumped the user's sessionVersion (every access token issued before dies)
   * and revoked the refresh tokens (UsersRepository). What is left is the open streams.
   */
  allEnded(userId: string): void {
    this.events.publish({ userId });
  }

  /** One session (a logout): its refresh-token family and its access tokens. */
  async endOne(userId: string, sid: string): Promise<number> {
    const revoked = await this.refreshTokens.revokeFamily(sid, this.clock.now());
    await this.denylist.deny([sid]);
    this.events.publish({ userId, sid });
    return revoked;
  }

  /** Every session of the user but `keep` (a password change keeps the session that made it). */
  async endOthers(userId: string, keep: string): Promise<number> {
    const now = this.clock.now();
    // Revoked first: from then on no other family can rotate, so the list below holds every
    // session that can have a live access token.
    const revoked = await this.refreshTokens.revokeUser(userId, now, keep);
    const since = new Date(now.getTime() - this.config.ACCESS_TOKEN_TTL_SECONDS * 1000);
    await this.denylist.deny((await this.refreshTokens.familiesIssuedSince(userId, since)).filter((sid) => sid !== keep));
    this.events.publish({ userId });
    return revoked;
  }

  /** A revoked API key: only its open streams need telling, HTTP checks the key on every request. */
  apiKeyRevoked(apiKeyId: string): void {
    this.events.publish({ apiKeyId });
  }
}
