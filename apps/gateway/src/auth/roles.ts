import { SetMetadata } from '@nestjs/common';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

// Each role can do everything the roles before it can.
const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export const roleAllows = (held: Role, required: Role): boolean => rank[held] >= rank[required];

export interface RoleRequirement {
  role: Role;
  /** The audit action recorded when a caller without the role is turned away. */
  auditAction?: string;
}

export const REQUIRED_ROLE = 'fleetplane:required-role';

/**
 * The least role a route needs. A route without it (and without `@Public()`)
 * is refused to everyone: forgetting the decorator must not open a route.
 */
export const RequireRole = (role: Role, auditAction?: string) => SetMetadata(REQUIRED_ROLE, { role, auditAction } satisfies RoleRequirement);
