import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import type { AccessClaims } from './token-issuer.js';
import type { Principal } from './principal.js';
import { JWT_AUDIENCE, JWT_ISSUER } from './jwt.options.js';
import { UsersRepository } from './users.repository.js';

/** `Authorization: Bearer <access token>`; the user's current role and status come from the database. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
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
