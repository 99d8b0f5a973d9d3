import { ForbiddenException, Inject, Injectable, Logger, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE } from '@fleetplane/observability';
import { AuditService } from '../audit/audit.service.js';
import { callerOf } from '../http/caller.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { limitAuthenticated } from '../rate-limit/http-rate-limit.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import type { Principal } from './principal.js';
import { REQUIRED_ROLE, roleAllows, type RoleRequirement } from './roles.js';
import { REQUIRED_SCOPE, scopesOf, type Scope } from './scopes.js';

/** What a route declares: `@Public()`, `@RequireRole(...)` with its `@RequireScope(...)`, or — a programming error — nothing. */
export type RouteAccess = { public: true } | { public: false; need: RoleRequirement & { scope?: Scope } } | undefined;

/** A route's handler, as Nest hands it to guards. */
type Handler = ReturnType<ExecutionContext['getHandler']>;

/**
 * The gateway's one guard, registered with APP_GUARD so that authentication is
 * the default: a route is public only when it says `@Public()`, every other
 * route authenticates (API key, then JWT) and needs the role its
 * `@RequireRole(...)` names. A caller below it gets 403, audited when the
 * route is a mutation. A route that declares neither is refused to everyone
 * (403) and logged: a forgotten decorator must not open a route.
 *
 * Only HTTP is guarded here. The live-update WebSocket authenticates by its
 * first frame (StreamSession), and the gateway serves no gRPC.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly log = new Logger('auth');

  constructor(
    private readonly reflector: Reflector,
    /** ApiAuthGuard: throws 401, or leaves the principal on the request. */
    @Inject(ApiAuthGuard) private readonly authenticator: CanActivate,
    private readonly audit: AuditService,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** What the route behind `handler` of `controller` declares; also read by the route-coverage test. */
  accessOf(handler: Handler, controller: Type): RouteAccess {
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, [handler, controller])) return { public: true };
    const need = this.reflector.getAllAndOverride<RoleRequirement | undefined>(REQUIRED_ROLE, [handler, controller]);
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [handler, controller]);
    return need ? { public: false, need: { ...need, ...(scope ? { scope } : {}) } } : undefined;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const access = this.accessOf(ctx.getHandler(), ctx.getClass());
    if (access?.public) return true;
    await this.authenticator.canActivate(ctx);
    // Per API key or user, now that it is known (429 past RATE_LIMIT_READ / RATE_LIMIT_WRITE).
    await limitAuthenticated(ctx.switchToHttp().getRequest(), ctx.switchToHttp().getResponse());
    if (!access) {
      this.log.error(`${ctx.getClass().name}.${ctx.getHandler().name} declares neither @RequireRole nor @Public; refused`);
      throw new ForbiddenException('this route declares no access rule');
    }
    const caller = callerOf(ctx.switchToHttp().getRequest());
    const refusal = this.refusal(caller.principal, access.need);
    if (!refusal) return true;
    this.metrics.authFailed('forbidden');
    if (access.need.auditAction) {
      await this.audit.recordFor(caller, { action: access.need.auditAction, outcome: 'denied', details: { reason: refusal } });
    }
    throw new ForbiddenException(refusal);
  }

  /**
   * Why the caller may not use the route, or null. The role first, then the scope: a
   * user holds every scope of its role; a key only its own, and none on a route that
   * forgot to declare one.
   */
  private refusal(principal: Principal, need: RoleRequirement & { scope?: Scope }): string | null {
    if (!roleAllows(principal.role, need.role)) return `requires role ${need.role}`;
    if (principal.kind === 'user') return null;
    if (!need.scope) return 'this route declares no scope; API keys may not use it';
    return scopesOf(principal).includes(need.scope) ? null : `requires scope ${need.scope}`;
  }
}
