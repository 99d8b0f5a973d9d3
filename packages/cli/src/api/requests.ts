import type { DocBody, DocQuery } from './document.js';

// Request bodies and query parameters, taken from the generated document types so a renamed or
// retyped field is a compile error here instead of a 400 at run time.

export type SubmitCommand = DocBody<'submitCommand'>;
export type EnrollAgent = DocBody<'enrollAgent'>;
export type CreateUser = DocBody<'createUser'>;
/** PATCH /users/{id}: at least one field (the gateway says which is missing). */
export type UpdateUser = DocBody<'updateUser'>;
/** POST /users/me/password. */
export type ChangePassword = DocBody<'changePassword'>;
export type CreateApiKey = DocBody<'createApiKey'>;
export type CreateEnrollmentToken = DocBody<'createEnrollmentToken'>;

/** The filters of GET /audit and /audit/export (the paging parameters are the client's business). */
export type AuditFilter = Omit<DocQuery<'listAudit'>, 'pageSize' | 'pageToken'>;
/** The filters of GET /agents (paging and the total are the client's business). */
export type AgentFilter = Omit<DocQuery<'listAgents'>, 'pageSize' | 'pageToken' | 'includeTotal'>;
/** The filters of GET /commands/{id}/executions (paging is the client's business). */
export type ExecutionFilter = Omit<DocQuery<'listExecutions'>, 'pageSize' | 'pageToken'>;
