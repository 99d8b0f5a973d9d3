import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditService } from '../audit/audit.service.js';
import { authFailuresTotal } from '../metrics.js';
import { callerOf } from '../http/caller.js';
import { REQUIRED_ROLE, roleAllows, type RoleRequirement } from './roles.js';

/** Runs after ApiAuthGuard; a caller below the route's role gets 403, audited when the route is a mutation. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const need = this.reflector.getAllAndOverride<RoleRequirement | undefined>(REQUIRED_ROLE, [ctx.getHandler(), ctx.getClass()]);
    if (!need) return true;
    const caller = callerOf(ctx.switchToHttp().getRequest());
    if (roleAllows(caller.principal.role, need.role)) return true;
    authFailuresTotal.inc({ reason: 'forbidden' });
    if (need.auditAction) {
      await this.audit.recordFor(caller, { action: need.auditAction, outcome: 'denied', details: { reason: `requires role ${need.role}` } });
    }
    throw new ForbiddenException(`requires role ${need.role}`);
  }
}
