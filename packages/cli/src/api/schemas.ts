import { z } from 'zod';

// The gateway's response bodies, parsed, not trusted: unknown fields are dropped, a missing one is
// a clear error instead of "undefined" in a table. Each schema is checked at compile time against
// the generated OpenAPI types (document-agreement.ts), so it cannot drift from the document.

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What an API key may touch, besides its role (the agreed contract of issue #12). */
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

const instant = z.string();

/** The CLI keeps only the two tokens; the document's tokenType and expiresIn are read and dropped. */
export const tokenPairSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

export const agentSchema = z.object({
  id: z.string(),
  site: z.string().nullable().default(null),
  os: z.string().nullable().default(null),
  kernel: z.string().nullable().default(null),
  version: z.string().nullable().default(null),
  capabilities: z.array(z.string()).default([]),
  containerEngine: z.string().nullable().default(null),
  labels: z.record(z.string(), z.string()).default({}),
  connected: z.boolean(),
  lastSeenAt: instant.nullable().default(null),
  enrolledAt: instant.nullable().default(null),
  connectedAt: instant.nullable().default(null),
  hubInstanceId: z.string().nullable().default(null),
  protocolVersion: z.number().int().nullable().default(null),
});
export type Agent = z.infer<typeof agentSchema>;

export const agentPageSchema = z.object({
  agents: z.array(agentSchema),
  nextPageToken: z.string().nullable().default(null),
  // Counted only when asked (includeTotal=true); null otherwise, and from gateways that do not count.
  total: z.number().int().nullable().default(null),
});

const groupCounts = { total: z.number().int(), connected: z.number().int() };
export const agentSummarySchema = z.object({
  total: z.number().int(),
  connected: z.number().int(),
  disconnected: z.number().int(),
  bySite: z.array(z.object({ site: z.string(), ...groupCounts })),
  byOs: z.array(z.object({ os: z.string(), ...groupCounts })),
  byVersion: z.array(z.object({ version: z.string(), ...groupCounts })),
  generatedAt: instant,
});
export type AgentSummary = z.infer<typeof agentSummarySchema>;

export const enrolledAgentSchema = z.object({ agent: agentSchema, token: z.string().min(1) });
export type EnrolledAgent = z.infer<typeof enrolledAgentSchema>;

export const EXECUTION_STATES = [
  'UNSPECIFIED',
  'PENDING',
  'QUEUED',
  'DISPATCHED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMED_OUT',
  'SKIPPED',
  'EXPIRED',
] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];
/** What `--state` offers: every state an execution can be in. */
export const FILTER_STATES = EXECUTION_STATES.filter((s) => s !== 'UNSPECIFIED');
export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const OUTPUT_STREAMS = ['stdout', 'stderr'] as const;
export type OutputStream = (typeof OUTPUT_STREAMS)[number];

export const executionSchema = z.object({
  id: z.string(),
  commandId: z.string(),
  agentId: z.string(),
  state: z.enum(EXECUTION_STATES),
  exitCode: z.number().int().nullable().default(null),
  /** The start of the output (a KiB at most); the whole of it is at …/output. */
  stdout: z.string().default(''),
  stderr: z.string().default(''),
  truncated: z.boolean().default(false),
  reason: z.string().nullable().default(null),
  error: z.string().nullable().default(null),
  attempts: z.number().int().default(0),
  stdoutBytes: z.number().int().default(0),
  stderrBytes: z.number().int().default(0),
  dispatchedAt: instant.nullable().default(null),
  startedAt: instant.nullable().default(null),
  finishedAt: instant.nullable().default(null),
  expiresAt: instant.nullable().default(null),
});
export type Execution = z.infer<typeof executionSchema>;

export const executionPageSchema = z.object({
  executions: z.array(executionSchema),
  nextPageToken: z.string().nullable().default(null),
});

export const commandSummarySchema = z.object({
  targets: z.number().int(),
  byState: z.record(z.string(), z.number().int()),
  exitCodes: z.array(z.object({ exitCode: z.number().int(), count: z.number().int() })).default([]),
  firstErrors: z.array(z.object({ executionId: z.string(), agentId: z.string(), state: z.enum(EXECUTION_STATES), error: z.string() })).default([]),
  nonResponders: z.array(z.string()).default([]),
  nonRespondersTotal: z.number().int().default(0),
});
export type CommandSummary = z.infer<typeof commandSummarySchema>;

export const selectorSchema = z.object({
  agentIds: z.array(z.string()).default([]),
  site: z.string().default(''),
  labels: z.record(z.string(), z.string()).default({}),
  capabilities: z.array(z.string()).default([]),
  os: z.string().default(''),
  connected: z.boolean().nullable().default(null),
});
export type Selector = z.infer<typeof selectorSchema>;

export const commandSchema = z.object({
  id: z.string(),
  verb: z.string(),
  params: z.unknown(),
  priority: z.enum(PRIORITIES),
  state: z.enum(EXECUTION_STATES),
  requestedBy: z.string().default(''),
  timeoutSeconds: z.number().int(),
  ttlSeconds: z.number().int().default(0),
  maxConcurrency: z.number().int().default(0),
  maxErrors: z.number().int().nullable().default(null),
  selector: selectorSchema.nullable().default(null),
  retryOf: z.string().nullable().default(null),
  endReason: z.string().nullable().default(null),
  cancelledAt: instant.nullable().default(null),
  createdAt: instant.nullable().default(null),
  updatedAt: instant.nullable().default(null),
  /** Null in listings; GET /commands/{id} has it. */
  summary: commandSummarySchema.nullable().default(null),
});
export type Command = z.infer<typeof commandSchema>;

export const commandPageSchema = z.object({
  commands: z.array(commandSchema),
  nextPageToken: z.string().nullable().default(null),
});

export const cancelCommandResultSchema = z.object({
  command: commandSchema,
  cancelled: z.number().int(),
  stopping: z.number().int(),
});
export type CancelCommandResult = z.infer<typeof cancelCommandResultSchema>;

export const cancelExecutionResultSchema = z.object({ execution: executionSchema });
export type CancelExecutionResult = z.infer<typeof cancelExecutionResultSchema>;

/** A byte range of an execution's output; `data` is base64. */
export const outputRangeSchema = z.object({
  data: z.string(),
  offset: z.number().int(),
  nextOffset: z.number().int(),
  storedBytes: z.number().int(),
  truncated: z.boolean(),
  complete: z.boolean(),
});
export type OutputRange = z.infer<typeof outputRangeSchema>;

/**
 * 4xx/5xx bodies: `{statusCode, error, message, field?, traceId}`. Lenient on purpose (every field
 * optional, message may be a list): a proxy or an older gateway in front must still give a readable line.
 */
export const errorBodySchema = z.object({
  message: z.union([z.string(), z.array(z.string()).transform((m) => m.join('; '))]).optional(),
  error: z.string().optional(),
  field: z.string().optional(),
  traceId: z.string().nullable().optional(),
});

/** States a command or an execution does not leave. */
export const FINISHED_STATES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'SKIPPED', 'EXPIRED']);

export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;
export const AUDIT_EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const auditEntrySchema = z.object({
  id: z.string(),
  at: instant,
  actor: z.string().nullable().default(null),
  actorType: z.enum(['user', 'api_key']).nullable().default(null),
  action: z.string(),
  target: z.string().nullable().default(null),
  outcome: z.enum(AUDIT_OUTCOMES),
  ip: z.string().nullable().default(null),
  traceId: z.string().nullable().default(null),
  commandId: z.string().nullable().default(null),
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  nextPageToken: z.string().nullable().default(null),
});

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  createdAt: instant,
  disabledAt: instant.nullable().default(null),
  lastLoginAt: instant.nullable().default(null),
});
export type User = z.infer<typeof userSchema>;

export const userListSchema = z.object({ users: z.array(userSchema) });

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: z.enum(ROLES),
  userId: z.string(),
  // A key from before scopes existed may do everything its role may.
  scopes: z.array(z.enum(SCOPES)).default([...SCOPES]),
  createdAt: instant,
  expiresAt: instant.nullable().default(null),
  lastUsedAt: instant.nullable().default(null),
  revokedAt: instant.nullable().default(null),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const apiKeyListSchema = z.object({ apiKeys: z.array(apiKeySchema) });
export const createdApiKeySchema = z.object({ apiKey: apiKeySchema, key: z.string().min(1) });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

const countsSchema = z.object({ total: z.number().int(), connected: z.number().int() });

export const statisticsSchema = z.object({
  generatedAt: instant,
  agents: countsSchema.extend({
    bySite: z.array(countsSchema.extend({ site: z.string() })),
    byOs: z.array(countsSchema.extend({ os: z.string() })),
  }),
  commands: z.object({
    lastHour: z.object({ total: z.number().int(), byState: z.record(z.string(), z.number().int()) }),
    lastDay: z.object({ total: z.number().int(), byState: z.record(z.string(), z.number().int()) }),
  }),
  executionsPerMinute: z.array(z.object({ minute: instant, count: z.number().int() })),
  alerts: z.object({ firing: z.number().int().nullable() }),
});
export type Statistics = z.infer<typeof statisticsSchema>;
