import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { InjectConfig } from '@fleetplane/service-kit';
import type { GatewayConfig } from '../config.js';
import { UsersRepository } from '../users/users.repository.js';
import { JWT_AUDIENCE, JWT_ISSUER } from './jwt.options.js';
import type { Principal } from './principal.js';
import type { AccessClaims } from './token-issuer.js';

/** `Authorization: Bearer <access token>`; the user's current role and status come from the database. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @InjectConfig() config: Pick<GatewayConfig, 'JWT_SECRET'>,
    private readonly users: UsersRepository,
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
    if (claims.typ !== 'access' || typeof claims.sub !== 'string') return null;
    const user = await this.users.findById(claims.sub);
    if (!user || user.disabledAt) return null;
    return { kind: 'user', userId: user.id, email: user.email, role: user.role };
  }
}
