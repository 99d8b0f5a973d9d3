import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { InjectConfig } from '@fleetplane/service-kit';
import type { GatewayConfig } from '../config.js';
import { UsersRepository } from '../users/users.repository.js';
import { JWT_AUDIENCE, JWT_ISSUER } from './jwt.options.js';
import type { Principal } from './principal.js';
import { SessionDenylist } from './session-denylist.js';
import type { AccessClaims } from './token-issuer.js';

/**
 * `Authorization: Bearer <access token>`; the user's current role and status come from the
 * database, on every request. The same read refuses a token whose session was ended: all of
 * the user's (its `sv` is below the user's sessionVersion: disabled, demoted, sessions
 * ended by an admin) or its own (its `sid` is on the Redis denylist: logout, password
 * change elsewhere). Either way within the request after the change, on every instance.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly log = new Logger('auth');

  constructor(
    @InjectConfig() config: Pick<GatewayConfig, 'JWT_SECRET'>,
    private readonly users: UsersRepository,
    private readonly denylist: SessionDenylist,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.JWT_SECRET,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(claims: Partial<AccessClaims>): Promise<Principal | null> {
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.sv !== 'number') return null;
    const user = await this.users.findById(claims.sub);
    if (!user || user.disabledAt || user.sessionVersion !== claims.sv) return null;
    if (await this.isEnded(claims.sid)) return null;
    return { kind: 'user', userId: user.id, email: user.email, role: user.role, sessionId: claims.sid };
  }

  private async isEnded(sid: string): Promise<boolean> {
    try {
      return await this.denylist.isDenied(sid);
    } catch (err) {
      // Without the denylist a logged-out token would pass: refuse instead of guessing.
      this.log.error(`session denylist unavailable: ${(err as Error).message}`);
      throw new ServiceUnavailableException('authentication is temporarily unavailable');
    }
  }
}
