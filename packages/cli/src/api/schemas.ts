import { z } from 'zod';

// The gateway's response bodies (apps/gateway/src/**/…-view.ts). Parsed, not trusted:
// unknown fields are dropped, a missing one is a clear error instead of "undefined" in a table.

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
  lastSeenAt: z.string().nullable().default(null),
  enrolledAt: z.string().nullable().default(null),
});
export type Agent = z.infer<typeof agentSchema>;

export const agentPageSchema = z.object({
  agents: z.array(agentSchema),
  nextPageToken: z.string().nullable().default(null),
});

export const enrolledAgentSchema = z.object({ agent: agentSchema, token: z.string().min(1) });
export type EnrolledAgent = z.infer<typeof enrolledAgentSchema>;

export const executionSchema = z.object({
  id: z.string(),
  agentId: z.string(),
  state: z.string(),
  exitCode: z.number().int().nullable().default(null),
  stdout: z.string().default(''),
  stderr: z.string().default(''),
  truncated: z.boolean().default(false),
  error: z.string().nullable().default(null),
  attempts: z.number().default(0),
  dispatchedAt: z.string().nullable().default(null),
  startedAt: z.string().nullable().default(null),
  finishedAt: z.string().nullable().default(null),
});
export type Execution = z.infer<typeof executionSchema>;

export const commandSchema = z.object({
  id: z.string(),
  verb: z.string(),
  params: z.unknown(),
  priority: z.string(),
  state: z.string(),
  requestedBy: z.string().default(''),
  timeoutSeconds: z.number(),
  createdAt: z.string().nullable().default(null),
  updatedAt: z.string().nullable().default(null),
  executions: z.array(executionSchema).default([]),
});
export type Command = z.infer<typeof commandSchema>;

export const commandPageSchema = z.object({
  commands: z.array(commandSchema),
  nextPageToken: z.string().nullable().default(null),
});

/** 4xx/5xx bodies: `{statusCode, error, message, field?}`; Nest may send message as a list. */
export const errorBodySchema = z.object({
  message: z.union([z.string(), z.array(z.string()).transform((m) => m.join('; '))]).optional(),
  error: z.string().optional(),
  field: z.string().optional(),
});

export const FINISHED_STATES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);
export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface SubmitCommand {
  verb: string;
  params: Record<string, unknown>;
  targets: string[];
  priority?: Priority;
  timeoutSeconds?: number;
  idempotencyKey?: string;
}

export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;
export const AUDIT_EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string().nullable().default(null),
  actorType: z.string().nullable().default(null),
  action: z.string(),
  target: z.string().nullable().default(null),
  outcome: z.string(),
  ip: z.string().nullable().default(null),
  traceId: z.string().nullable().default(null),
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  nextPageToken: z.string().nullable().default(null),
});

/** The filters of GET /audit and /audit/export, as query parameters (the gateway validates them). */
export interface AuditFilter {
  actor?: string;
  action?: string;
  resourceType?: string;
  target?: string;
  outcome?: (typeof AUDIT_OUTCOMES)[number];
  from?: string;
  to?: string;
  traceId?: string;
}
