import type { ApiKey, User } from '../api/schemas.js';
import { renderFields, renderTable } from './table.js';

export function formatUsers(users: User[], width?: number): string {
  if (users.length === 0) return 'no users\n';
  return renderTable(
    ['ID', 'EMAIL', 'ROLE', 'DISABLED', 'LAST LOGIN', 'CREATED'],
    users.map((u) => [u.id, u.email, u.role, u.disabledAt, u.lastLoginAt, u.createdAt]),
    width,
  );
}

export function formatUser(u: User): string {
  return renderFields([
    ['id', u.id],
    ['email', u.email],
    ['role', u.role],
    ['disabled', u.disabledAt ?? 'no'],
    ['last login', u.lastLoginAt],
    ['created', u.createdAt],
  ]);
}

export function formatApiKeys(keys: ApiKey[], width?: number): string {
  if (keys.length === 0) return 'no API keys\n';
  return renderTable(
    ['ID', 'NAME', 'PREFIX', 'ROLE', 'EXPIRES', 'LAST USED', 'REVOKED', 'SCOPES'],
    keys.map((k) => [k.id, k.name, k.prefix, k.role, k.expiresAt, k.lastUsedAt, k.revokedAt, k.scopes.join(',')]),
    width,
  );
}
