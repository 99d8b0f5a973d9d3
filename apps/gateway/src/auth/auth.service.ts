import { Injectable, Logger, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { Clock } from '@fleetplane/service-kit';
import { AuditService } from '../audit/audit.service.js';
import { sha256 } from '../crypto/secrets.js';
import { RateLimitedException } from '../http/rate-limited.exception.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { PasswordHasher } from '../users/password-hasher.js';
import { UsersRepository } from '../users/users.repository.js';
import type { LoginBody, RefreshBody } from './auth.schemas.js';
import { LoginRateLimiter, type RateVerdict } from './login-rate-limiter.js';
import { judgeRefreshToken } from './refresh-rules.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { SessionEnder } from './session-ender.js';
import { TokenIssuer, type TokenPair } from './token-issuer.js';

// One message for every failed login, so the answer never tells which emails exist.
const BAD_LOGIN = 'invalid email or password';
const BAD_REFRESH = 'invalid refresh token';

@Injectable()
export class AuthService {
  private readonly log = new Logger('auth');

  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly tokens: TokenIssuer,
    private readonly sessions: SessionEnder,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
    private readonly metrics: GatewayMetrics,
    private readonly clock: Clock,
  ) {}

  async login(body: LoginBody, ip: string | null): Promise<TokenPair> {
    const entry = { action: 'auth.login', ip, target: body.email };
    const verdict = await this.checkRate(ip, body.email);
    if (!verdict.allowed) {
      this.metrics.login('rate_limited');
      await this.audit.record({ ...entry, outcome: 'denied', details: { reason: 'rate_limited' } });
      throw new RateLimitedException(verdict.retryAfterSeconds, 'too many login attempts; retry later');
    }
    const user = await this.users.findByEmail(body.email);
    const valid = user ? await this.passwords.verify(body.password, user.passwordHash) : (await this.passwords.burnCheck(body.password), false);
    if (!user || !valid || user.disabledAt) {
      this.metrics.login('invalid_credentials');
      const reason = !user ? 'unknown_user' : !valid ? 'bad_password' : 'disabled';
      await this.audit.record({ ...entry, outcome: 'failed', details: { reason } });
      throw new UnauthorizedException(BAD_LOGIN);
    }
    const pair = await this.tokens.startFamily(user);
    const upgraded = await this.upgradeHash(user.id, user.passwordHash, body.password);
    await this.users.recordLogin(user.id, this.clock.now());
    this.metrics.login('success');
    await this.audit.record({ ...entry, outcome: 'success', userId: user.id, ...(upgraded ? { details: { passwordHashUpgraded: true } } : {}) });
    return pair;
  }

  async refresh(body: RefreshBody, ip: string | null): Promise<TokenPair> {
    const now = this.clock.now();
    const row = await this.refreshTokens.findByHash(sha256(body.refreshToken));
    if (!row) {
      await this.audit.record({ action: 'auth.refresh', outcome: 'failed', ip, details: { reason: 'unknown_token' } });
      throw new UnauthorizedException(BAD_REFRESH);
    }
    const entry = { action: 'auth.refresh', ip, userId: row.userId, target: `token-family:${row.familyId}` };
    const verdict = judgeRefreshToken(row, now);
    if (verdict === 'reuse') return this.revokeStolenFamily(row.familyId, entry, now);
    if (verdict !== 'rotate') {
      await this.audit.record({ ...entry, outcome: 'failed', details: { reason: verdict } });
      throw new UnauthorizedException(BAD_REFRESH);
    }
    const user = await this.users.findById(row.userId);
    if (!user || user.disabledAt) {
      await this.refreshTokens.revokeFamily(row.familyId, now);
      await this.audit.record({ ...entry, outcome: 'denied', details: { reason: 'user_disabled' } });
      throw new UnauthorizedException(BAD_REFRESH);
    }
    const pair = await this.tokens.rotate(row, user, now);
    // Lost a race with another use of the same token: one of the two is not its owner.
    if (!pair) return this.revokeStolenFamily(row.familyId, entry, now);
    await this.audit.record({ ...entry, outcome: 'success' });
    return pair;
  }

  /** Ends the login the refresh token belongs to. Unknown tokens get the same answer. */
  async logout(body: RefreshBody, ip: string | null): Promise<void> {
    const row = await this.refreshTokens.findByHash(sha256(body.refreshToken));
    if (!row) {
      await this.audit.record({ action: 'auth.logout', outcome: 'failed', ip, details: { reason: 'unknown_token' } });
      return;
    }
    // The session's access tokens too (Redis denylist), and its open streams.
    const revoked = await this.sessions.endOne(row.userId, row.familyId);
    await this.audit.record({
      action: 'auth.logout',
      outcome: 'success',
      ip,
      userId: row.userId,
      target: `token-family:${row.familyId}`,
      details: { revokedTokens: revoked },
    });
  }

  private async revokeStolenFamily(familyId: string, entry: { action: string; ip: string | null; userId: string; target: string }, now: Date): Promise<never> {
    const revoked = await this.refreshTokens.revokeFamily(familyId, now);
    this.metrics.refreshTokenReused();
    this.log.warn(`reuse of a rotated refresh token; revoked its family (${revoked} live tokens)`);
    await this.audit.record({ ...entry, outcome: 'denied', details: { reason: 'reuse', revokedTokens: revoked } });
    throw new UnauthorizedException(BAD_REFRESH);
  }

  /**
   * Replaces a hash weaker than today's (scrypt, or argon2id below the current cost) with a
   * new argon2id one: the password is known only now. A failure leaves the old hash, which
   * still verifies, and does not fail the sign-in. True when it was replaced.
   */
  private async upgradeHash(userId: string, stored: string, password: string): Promise<boolean> {
    if (!this.passwords.needsRehash(stored)) return false;
    try {
      return await this.users.replacePasswordHash(userId, stored, await this.passwords.hash(password));
    } catch (err) {
      this.log.warn(`password hash of user ${userId} not upgraded: ${(err as Error).message}`);
      return false;
    }
  }

  private async checkRate(ip: string | null, email: string): Promise<RateVerdict> {
    try {
      return await this.limiter.attempt(ip, email);
    } catch (err) {
      // Without the counters, logins would be unthrottled: refuse instead of guessing.
      this.metrics.login('error');
      this.log.error(`login rate limiter unavailable: ${(err as Error).message}`);
      throw new ServiceUnavailableException('login is temporarily unavailable');
    }
  }
}
