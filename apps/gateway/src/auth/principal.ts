import type { Role } from './roles.js';
import type { Scope } from './scopes.js';

/**
 * Who is calling: a signed-in user in one session (the refresh-token family its
 * access token was issued for), or an API key acting with its own role and
 * scopes for the user who made it.
 */
export type Principal =
  | { kind: 'user'; userId: string; email: string; role: Role; sessionId: string }
  | { kind: 'api_key'; apiKeyId: string; userId: string; role: Role; scopes: readonly Scope[] };

/** The id recorded as the actor in the audit log and sent as requestedBy. */
export const actorId = (p: Principal): string => (p.kind === 'user' ? p.userId : p.apiKeyId);

/** What a service needs to know about a request, without depending on Express. */
export interface Caller {
  principal: Principal;
  ip: string | null;
}
