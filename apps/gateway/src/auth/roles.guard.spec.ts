import { ForbiddenException, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import type { Principal } from './principal.js';
import { roleAllows, type RoleRequirement } from './roles.js';
import { RolesGuard } from './roles.guard.js';

function setup(requirement: RoleRequirement | undefined) {
  const audits: AuditEntry[] = [];
  const reflector = { getAllAndOverride: () => requirement } as unknown as Reflector;
  const audit = { recordFor: async (caller: { principal: Principal; ip: string | null }, e: Omit<AuditEntry, 'principal' | 'ip'>) => void audits.push({ ...e, principal: caller.principal, ip: caller.ip }) };
  const guard = new RolesGuard(reflector, audit as unknown as AuditService);
  const ctx = (principal: Principal) =>
    ({
      getHandler: () => undefined,
      getClass: () => undefined,
      switchToHttp: () => ({ getRequest: () => ({ user: principal, ip: '10.1.2.3', socket: {} }) }),
    }) as unknown as ExecutionContext;
  return { guard, ctx, audits };
}

const user = (role: Principal['role']): Principal => ({ kind: 'user', userId: `u-${role}`, email: `${role}@example.com`, role });

describe(RolesGuard.name, () => {
  it('orders roles viewer < operator < admin', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'operator')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(roleAllows('viewer', 'viewer')).toBe(true);
  });

  it('lets a caller with the role, or a higher one, through', async () => {
    const { guard, ctx, audits } = setup({ role: 'operator', auditAction: 'command.submit' });
    expect(await guard.canActivate(ctx(user('operator')))).toBe(true);
    expect(await guard.canActivate(ctx(user('admin')))).toBe(true);
    expect(audits).toEqual([]);
  });

  it('refuses a lower role with 403 and audits the denial of a mutation', async () => {
    const { guard, ctx, audits } = setup({ role: 'operator', auditAction: 'command.submit' });
    await expect(guard.canActivate(ctx(user('viewer')))).rejects.toBeInstanceOf(ForbiddenException);
    expect(audits).toEqual([expect.objectContaining({ action: 'command.submit', outcome: 'denied', ip: '10.1.2.3', principal: user('viewer') })]);
  });

  it('does not audit a refused read', async () => {
    const { guard, ctx, audits } = setup({ role: 'admin' });
    await expect(guard.canActivate(ctx({ kind: 'api_key', apiKeyId: 'k1', userId: 'u1', role: 'operator' }))).rejects.toBeInstanceOf(ForbiddenException);
    expect(audits).toEqual([]);
  });

  it('allows any authenticated caller on a route without a requirement', async () => {
    const { guard, ctx } = setup(undefined);
    expect(await guard.canActivate(ctx(user('viewer')))).toBe(true);
  });
});
