import type { DocBody, DocQuery } from './document.js';
import type { Role, Scope } from './schemas.js';

// Request bodies and query parameters, taken from the generated document types so a renamed or
// retyped field is a compile error here instead of a 400 at run time.

export type SubmitCommand = DocBody<'submitCommand'>;
export type EnrollAgent = DocBody<'enrollAgent'>;
export type CreateUser = DocBody<'createUser'>;

/** The filters of GET /audit and /audit/export (the paging parameters are the client's business). */
export type AuditFilter = Omit<DocQuery<'listAudit'>, 'pageSize' | 'pageToken'>;
export type AgentFilter = Pick<DocQuery<'listAgents'>, 'site' | 'connected'>;

// Bodies of routes from the agreed contract (issue #12) that other work is adding to the gateway
// right now; written against the contract until their entries are in the document.

export type CreateApiKey = DocBody<'createApiKey'> & { scopes?: Scope[]; expiresAt?: string };

/** PATCH /users/{id}: at least one field. */
export interface UpdateUser {
  role?: Role;
  disabled?: boolean;
}

/** POST /users/me/password. */
export interface ChangePassword {
  currentPassword: string;
  newPassword: string;
}
