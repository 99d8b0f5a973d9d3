import { Controller, ForbiddenException, Get, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it, vi } from 'vitest';
import { Public } from '@fleetplane/observability';
import { MetricFactory } from '@fleetplane/service-kit';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { AccessGuard } from './access.guard.js';
import type { Principal } from './principal.js';
import { RequireRole, roleAllows } from './roles.js';
import { RequireScope, ROLE_SCOPES, type Scope } from './scopes.js';

@Controller('things')
class ThingsController {
  @Get('open')
  @Public()
  open() {}

  @Get('read')
  @RequireRole('admin')
  read() {}

  @Get('write')
  @RequireRole('operator', 'command.submit')
  @RequireScope('commands:write')
  write() {}

  @Get('unscoped')
  @RequireRole('viewer', 'thing.touch')
  unscoped() {}

  @Get('forgotten')
  forgotten() {}
}

/** A controller from outside the gateway without the marker. */
@Controller()
class ProbeController {
  @Get('health')
  health() {}
}

/** A controller from outside marked as a whole, as packages/observability's HealthController is. */
@Public()
@Controller()
class MarkedProbeController {
  @Get('health')
  health() {}
}

type Route = keyof ThingsController;

function setup(opts: { principal?: Principal } = {}) {
  const audits: AuditEntry[] = [];
  const audit = {
    recordFor: (caller: { principal: Principal; ip: string | null }, e: Omit<AuditEntry, 'principal' | 'ip'>) => {
      audits.push({ ...e, principal: caller.principal, ip: caller.ip });
      return Promise.resolve();
    },
  };
  const request: { user?: Principal; ip: string; socket: object } = { ip: '10.1.2.3', socket: {} };
  // Passport's guard: 401 without a principal, else leaves it on the request.
  const authenticate = vi.fn(() => {
    if (!opts.principal) return Promise.reject(new UnauthorizedException('missing or invalid credentials'));
    request.user = opts.principal;
    return Promise.resolve(true);
  });
  const guard = new AccessGuard(
    new Reflector(),
    { canActivate: authenticate },
    audit as unknown as AuditService,
    new GatewayMetrics(new MetricFactory('gateway')),
  );
  const ctx = (route: Route | 'health' | 'marked-health', type = 'http') => {
    const controller = route === 'health' ? ProbeController : route === 'marked-health' ? MarkedProbeController : ThingsController;
    const method = route === 'marked-health' ? 'health' : route;
    return {
      getType: () => type,
      getHandler: () => (controller.prototype as unknown as Record<string, () => void>)[method],
      getClass: () => controller,
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
    } as unknown as ExecutionContext;
  };
  return { guard, ctx, audits, authenticate };
}

const user = (role: Principal['role']): Principal => ({ kind: 'user', userId: `u-${role}`, email: `${role}@example.com`, role, sessionId: 's-1' });
const key = (role: Principal['role'], scopes: Scope[]): Principal => ({ kind: 'api_key', apiKeyId: 'k1', userId: 'u1', role, scopes });

describe(AccessGuard.name, () => {
  it('orders roles viewer < operator < admin', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'operator')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(roleAllows('viewer', 'viewer')).toBe(true);
  });

  it('lets a caller with the role, or a higher one, through', async () => {
    for (const role of ['operator', 'admin'] as const) {
      const { guard, ctx, audits } = setup({ principal: user(role) });
      expect(await guard.canActivate(ctx('write'))).toBe(true);
      expect(audits).toEqual([]);
    }
  });

  it('refuses a lower role with 403 and audits the denial of a mutation', async () => {
    const { guard, ctx, audits } = setup({ principal: user('viewer') });
    await expect(guard.canActivate(ctx('write'))).rejects.toBeInstanceOf(ForbiddenException);
    expect(audits).toEqual([expect.objectContaining({ action: 'command.submit', outcome: 'denied', ip: '10.1.2.3', principal: user('viewer') })]);
  });

  it("lets an API key through only with the route's scope; a refusal names the scope and is audited for a mutation", async () => {
    const allowed = setup({ principal: key('operator', ['commands:write']) });
    expect(await allowed.guard.canActivate(allowed.ctx('write'))).toBe(true);
    const { guard, ctx, audits } = setup({ principal: key('admin', ['commands:read', 'agents:write']) });
    const err = await guard.canActivate(ctx('write')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenException);
    expect((err as ForbiddenException).message).toBe('requires scope commands:write');
    expect(audits).toEqual([expect.objectContaining({ action: 'command.submit', outcome: 'denied', details: { reason: 'requires scope commands:write' } })]);
  });

  it('checks the role before the scope: a key with the scope but a low role is refused for its role', async () => {
    const { guard, ctx } = setup({ principal: key('viewer', ['commands:write']) });
    await expect(guard.canActivate(ctx('write'))).rejects.toThrow('requires role operator');
  });

  it('refuses every API key on a route that declares no scope, but not a user with the role', async () => {
    const keyed = setup({ principal: key('admin', ['users:write']) });
    await expect(keyed.guard.canActivate(keyed.ctx('unscoped'))).rejects.toThrow('declares no scope');
    const signedIn = setup({ principal: user('viewer') });
    expect(await signedIn.guard.canActivate(signedIn.ctx('unscoped'))).toBe(true);
  });

  it('gives a user every scope of its role, and each role every scope of the roles below it', () => {
    expect(ROLE_SCOPES.viewer).toContain('commands:read');
    expect(ROLE_SCOPES.viewer).not.toContain('commands:write');
    expect(ROLE_SCOPES.operator).toEqual(expect.arrayContaining([...ROLE_SCOPES.viewer, 'commands:write']));
    expect(ROLE_SCOPES.admin).toEqual(expect.arrayContaining([...ROLE_SCOPES.operator, 'audit:read', 'users:write']));
  });

  it('does not audit a refused read', async () => {
    const { guard, ctx, audits } = setup({ principal: key('operator', ['users:read']) });
    await expect(guard.canActivate(ctx('read'))).rejects.toBeInstanceOf(ForbiddenException);
    expect(audits).toEqual([]);
  });

  it('authenticates every route that is not public: no credentials is a 401', async () => {
    const { guard, ctx } = setup();
    for (const route of ['read', 'write', 'forgotten'] as const) await expect(guard.canActivate(ctx(route))).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('refuses even an admin on a route that declares neither a role nor @Public(), and logs it', async () => {
    const { guard, ctx } = setup({ principal: user('admin') });
    const logged = vi.spyOn((guard as unknown as { log: { error(m: string): void } }).log, 'error').mockImplementation(() => undefined);
    await expect(guard.canActivate(ctx('forgotten'))).rejects.toBeInstanceOf(ForbiddenException);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('ThingsController.forgotten declares neither @RequireRole nor @Public'));
  });

  it('lets anyone through a @Public() route without authenticating', async () => {
    const { guard, ctx, authenticate } = setup();
    expect(await guard.canActivate(ctx('open'))).toBe(true);
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('treats a controller from outside as public only when it carries the marker (HealthController does)', async () => {
    const { guard, ctx, authenticate } = setup();
    await expect(guard.canActivate(ctx('health'))).rejects.toBeInstanceOf(UnauthorizedException);
    authenticate.mockClear();
    expect(await guard.canActivate(ctx('marked-health'))).toBe(true);
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('leaves WebSocket contexts to the stream session (frame-based auth)', async () => {
    const { guard, ctx, authenticate } = setup();
    expect(await guard.canActivate(ctx('forgotten', 'ws'))).toBe(true);
    expect(authenticate).not.toHaveBeenCalled();
  });
});
