import type { z } from 'zod';
import type { DocQuery, DocSchema } from './document.js';
import type * as e from './enrollment-schemas.js';
import type * as s from './schemas.js';

// Compile-time only (this module has no run-time content): the build fails when a zod schema in
// schemas.ts and the gateway's OpenAPI document disagree, and the error names the field.
//
// Reads<Schema, Doc>: every body the document allows parses (Doc is assignable to the schema's input).
// Describes<Doc, output of Schema>: what the CLI prints (--output json|yaml) is a body the document
// describes (the schema's output is assignable to Doc). Together: no field renamed, retyped or forgotten.

export type Reads<S extends z.ZodType, Doc extends z.input<S>> = Doc;
export type Describes<Doc, Out extends Doc> = Out;

export type DocumentAgreement = [
  Reads<typeof s.tokenPairSchema, DocSchema<'TokenPair'>>,
  Reads<typeof s.errorBodySchema, DocSchema<'Error'>>,
  Reads<typeof s.agentSchema, DocSchema<'Agent'>>,
  Describes<DocSchema<'Agent'>, z.output<typeof s.agentSchema>>,
  Reads<typeof s.agentPageSchema, DocSchema<'AgentPage'>>,
  Describes<DocSchema<'AgentPage'>, z.output<typeof s.agentPageSchema>>,
  Reads<typeof s.agentSummarySchema, DocSchema<'AgentSummary'>>,
  Describes<DocSchema<'AgentSummary'>, z.output<typeof s.agentSummarySchema>>,
  Reads<typeof s.enrolledAgentSchema, DocSchema<'EnrolledAgent'>>,
  Describes<DocSchema<'EnrolledAgent'>, z.output<typeof s.enrolledAgentSchema>>,
  Reads<typeof s.executionSchema, DocSchema<'Execution'>>,
  Describes<DocSchema<'Execution'>, z.output<typeof s.executionSchema>>,
  Reads<typeof s.commandSchema, DocSchema<'Command'>>,
  Describes<DocSchema<'Command'>, z.output<typeof s.commandSchema>>,
  Reads<typeof s.commandPageSchema, DocSchema<'CommandPage'>>,
  Describes<DocSchema<'CommandPage'>, z.output<typeof s.commandPageSchema>>,
  Reads<typeof s.commandSummarySchema, DocSchema<'CommandSummary'>>,
  Describes<DocSchema<'CommandSummary'>, z.output<typeof s.commandSummarySchema>>,
  Reads<typeof s.executionPageSchema, DocSchema<'ExecutionPage'>>,
  Describes<DocSchema<'ExecutionPage'>, z.output<typeof s.executionPageSchema>>,
  Reads<typeof s.cancelCommandResultSchema, DocSchema<'CancelCommandResult'>>,
  Describes<DocSchema<'CancelCommandResult'>, z.output<typeof s.cancelCommandResultSchema>>,
  Reads<typeof s.outputRangeSchema, DocSchema<'ExecutionOutput'>>,
  Describes<DocSchema<'ExecutionOutput'>, z.output<typeof s.outputRangeSchema>>,
  Reads<typeof s.auditEntrySchema, DocSchema<'AuditEntry'>>,
  Describes<DocSchema<'AuditEntry'>, z.output<typeof s.auditEntrySchema>>,
  Reads<typeof s.auditPageSchema, DocSchema<'AuditPage'>>,
  Describes<DocSchema<'AuditPage'>, z.output<typeof s.auditPageSchema>>,
  Reads<typeof s.userSchema, DocSchema<'User'>>,
  Describes<DocSchema<'User'>, z.output<typeof s.userSchema>>,
  Reads<typeof s.userListSchema, DocSchema<'UserList'>>,
  Describes<DocSchema<'UserList'>, z.output<typeof s.userListSchema>>,
  Reads<typeof s.apiKeySchema, DocSchema<'ApiKey'>>,
  Describes<DocSchema<'ApiKey'>, z.output<typeof s.apiKeySchema>>,
  Reads<typeof s.apiKeyListSchema, DocSchema<'ApiKeyList'>>,
  Describes<DocSchema<'ApiKeyList'>, z.output<typeof s.apiKeyListSchema>>,
  Reads<typeof s.createdApiKeySchema, DocSchema<'CreatedApiKey'>>,
  Describes<DocSchema<'CreatedApiKey'>, z.output<typeof s.createdApiKeySchema>>,
  Reads<typeof s.statisticsSchema, DocSchema<'Statistics'>>,
  Describes<DocSchema<'Statistics'>, z.output<typeof s.statisticsSchema>>,
  Reads<typeof e.enrollmentTokenSchema, DocSchema<'EnrollmentToken'>>,
  Describes<DocSchema<'EnrollmentToken'>, z.output<typeof e.enrollmentTokenSchema>>,
  Reads<typeof e.createdEnrollmentTokenSchema, DocSchema<'CreatedEnrollmentToken'>>,
  Describes<DocSchema<'CreatedEnrollmentToken'>, z.output<typeof e.createdEnrollmentTokenSchema>>,
  Reads<typeof e.enrollmentTokenPageSchema, DocSchema<'EnrollmentTokenPage'>>,
  Describes<DocSchema<'EnrollmentTokenPage'>, z.output<typeof e.enrollmentTokenPageSchema>>,
];

// The option values the CLI offers must be the document's: a role or scope the gateway does not
// know (or a new one the CLI does not offer) fails here.
type Within<Outer, Inner extends Outer> = Inner;
type DocRole = DocSchema<'User'>['role'];
type DocScope = NonNullable<DocSchema<'CreateApiKeyBody'>['scopes']>[number];
type DocPriority = DocSchema<'Command'>['priority'];
type DocState = DocSchema<'Execution'>['state'];
type DocStream = NonNullable<DocQuery<'getExecutionOutput'>['stream']>;
export type EnumAgreement = [
  Within<DocRole, s.Role>,
  Within<s.Role, DocRole>,
  Within<DocScope, s.Scope>,
  Within<s.Scope, DocScope>,
  Within<DocPriority, s.Priority>,
  Within<s.Priority, DocPriority>,
  Within<DocState, s.ExecutionState>,
  Within<s.ExecutionState, DocState>,
  Within<DocStream, s.OutputStream>,
  Within<s.OutputStream, DocStream>,
];
