import { SetMetadata } from '@nestjs/common';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';

/**
 * What an API key may be used for, one scope per kind of resource and access. A
 * route needs its role (RequireRole) and its scope (RequireScope): the role says
 * who, the scope says which part of the API a key was made for.
 */
export const SCOPES = [
  'agents:read',
  'agents:write',
  'commands:read',
  'commands:write',
  'telemetry:read',
  'backups:read',
  'alerts:write',
  'backups:write',
  'tiles:write',
  'audit:read',
  'users:read',
  'users:write',
] as const;
export type Scope = (typeof SCOPES)[number];

const READS: readonly Scope[] = ['agents:read', 'commands:read', 'telemetry:read', 'backups:read'];
const WRITES: readonly Scope[] = ['commands:write', 'alerts:write', 'backups:write', 'tiles:write'];

/**
 * The scopes a signed-in user holds: every scope of the routes its role reaches.
 * A user's requests are limited by the role alone; this only keeps the two checks
 * one rule for keys and users.
 */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  viewer: READS,
  operator: [...READS, ...WRITES],
  admin: SCOPES,
};

export const REQUIRED_SCOPE = 'fleetplane:required-scope';

/**
 * The scope an API key needs for a route, declared next to its `@RequireRole(...)`.
 * A non-public route without one refuses every API key: forgetting it must not
 * open a route to keys made for something else.
 */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);

/**
 * Scopes a key's scope brings with it: a key made to start backups may follow the jobs it starts
 * and read the backups it took. Keys made before `backups:read` existed (when backup reads took
 * `telemetry:read`) keep that through `backups:write`; a key with only `telemetry:read` no longer
 * reads backups.
 */
const IMPLIED: Partial<Record<Scope, readonly Scope[]>> = { 'backups:write': ['backups:read'] };

const withImplied = (scopes: readonly Scope[]): readonly Scope[] => {
  const extra = scopes.flatMap((s) => IMPLIED[s] ?? []).filter((s) => !scopes.includes(s));
  return extra.length === 0 ? scopes : [...scopes, ...extra];
};

/** The scopes a caller holds: a key its own (and what they imply), a user those of its role. */
export const scopesOf = (p: Principal): readonly Scope[] => (p.kind === 'user' ? ROLE_SCOPES[p.role] : withImplied(p.scopes));
