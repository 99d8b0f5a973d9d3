import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { Principal } from './principal.js';

/**
 * The authentication step of AccessGuard (not a guard on routes of its own):
 * `X-API-Key` is tried first, then `Authorization: Bearer <jwt>`; the
 * principal lands on `req.user`.
 */
@Injectable()
export class ApiAuthGuard extends AuthGuard(['api-key', 'jwt']) {
  constructor(private readonly metrics: GatewayMetrics) {
    super();
  }

  override handleRequest<T = Principal>(err: unknown, principal: unknown): T {
    if (err) throw err as Error;
    if (!principal) {
      this.metrics.authFailed('unauthenticated');
      throw new UnauthorizedException('missing or invalid credentials');
    }
    return principal as T;
  }
}
