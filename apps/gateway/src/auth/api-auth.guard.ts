import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { authFailuresTotal } from '../metrics.js';
import type { Principal } from './principal.js';

/** Either credential: `X-API-Key` is tried first, then `Authorization: Bearer <jwt>`. */
@Injectable()
export class ApiAuthGuard extends AuthGuard(['api-key', 'jwt']) {
  override handleRequest<T = Principal>(err: unknown, principal: unknown): T {
    if (err) throw err;
    if (!principal) {
      authFailuresTotal.inc({ reason: 'unauthenticated' });
      throw new UnauthorizedException('missing or invalid credentials');
    }
    return principal as T;
  }
}
