import { roleAllows, type Role } from '../auth/roles.js';

/** A change an admin makes to a user (PATCH /users/{id}); a deletion counts as disabling. */
export interface UserChange {
  role?: Role;
  disabled?: boolean;
}

/** What the rules read of a user. */
export interface UserState {
  role: Role;
  disabledAt: Date | null;
}

/** True when the user is an enabled admin and would not be one after the change. */
export function removesAnAdmin(user: UserState, change: UserChange): boolean {
  if (user.role !== 'admin' || user.disabledAt !== null) return false;
  return change.disabled === true || (change.role !== undefined && change.role !== 'admin');
}

/**
 * Whether the change ends the user's sessions: disabling, or lowering the role (the
 * tokens were issued for more than the user now holds). Promotion and re-enabling do not.
 */
export function endsSessions(user: UserState, change: UserChange): boolean {
  const disabling = change.disabled === true && user.disabledAt === null;
  const demoted = change.role !== undefined && !roleAllows(change.role, user.role);
  return disabling || demoted;
}
