import { z } from 'zod';
import { agentIdSchema, executionIdSchema } from '../ids.js';
import { telemetrySampleDetailShape } from '../agent-protocol/messages.js';

/**
 * Every NATS subject fleetplane uses, in one place. Agent ids are validated by
 * agentIdSchema, so they are always a single safe subject token.
 */
export const subjects = {
  /** Core request/reply, command → agent-hub. Only the hub holding the agent's socket subscribes. */
  agentCommands: (agentId: string) => `fleet.agents.${agentId}.commands`,
  /** Core request/reply, command → agent-hub: stop a running execution (the hub sends CANCEL to the agent). */
  agentCancel: (agentId: string) => `fleet.agents.${agentId}.cancel`,
  /** JetStream (stream COMMAND_OUTPUT), agent-hub → command (stored) and gateway (live, core subscription). */
  executionOutput: (executionId: string) => `fleet.output.${executionId}`,
  /** JetStream (stream COMMAND_RESULTS), agent-hub → command: execution progress and results. */
  executionUpdates: (executionId: string) => `fleet.results.${executionId}`,
  /** JetStream (stream TELEMETRY), agent-hub → telemetry. */
  telemetry: (agentId: string) => `fleet.telemetry.${agentId}`,
  /** JetStream (stream DEAD_LETTER): a message its consumer can never process, kept for a person to look at. */
  deadLetter: (source: string) => `fleet.deadletter.${source}`,
  /** Core pub/sub events; dotted names map one-to-one onto the event map below. */
  event: (name: EventName) => `fleet.events.${name}`,
} as const;

/** JetStream streams: wherever losing a message loses data. */
export const streams = {
  commandResults: { name: 'COMMAND_RESULTS', subjects: ['fleet.results.>'] },
  telemetry: { name: 'TELEMETRY', subjects: ['fleet.telemetry.>'] },
  commandOutput: { name: 'COMMAND_OUTPUT', subjects: ['fleet.output.>'] },
  deadLetter: { name: 'DEAD_LETTER', subjects: ['fleet.deadletter.>'] },
} as const;

/**
 * COMMAND_OUTPUT only carries output on its way into command's database: a
 * day covers an outage. Every service that ensures the stream passes this,
 * so none of them changes the others' setting.
 */
export const COMMAND_OUTPUT_MAX_AGE_SECONDS = 24 * 3600;

/** What a consumer publishes to subjects.deadLetter(<consumer>) instead of dropping a message. */
export const deadLetterSchema = z.object({
  stream: z.string(),
  subject: z.string(),
  streamSeq: z.number().int(),
  reason: z.string(),
  /** The message body as received (UTF-8, cut to 64 KiB). */
  data: z.string(),
  at: z.iso.datetime({ offset: true }),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

export const commandDispatchSchema = z.object({
  executionId: executionIdSchema,
  commandId: z.string(),
  verb: z.string(),
  params: z.record(z.string(), z.unknown()),
  timeoutSeconds: z.number().int().positive(),
  /** The agent runs higher priorities first when its own slots are full. */
  priority: z.enum(['CRITICAL', 'HIGH', 'NORMAL', 'LOW']).optional(),
  /** Output bytes per stream the agent streams before it stops and marks the result truncated. */
  outputCapBytes: z.number().int().positive().optional(),
});
export type CommandDispatch = z.infer<typeof commandDispatchSchema>;

/** The hub's answer to a dispatch: accepted once the COMMAND frame is written to the agent's socket. */
export const dispatchReplySchema = z.object({
  accepted: z.boolean(),
  reason: z.string().optional(),
});
export type DispatchReply = z.infer<typeof dispatchReplySchema>;

/** Stop one execution: the hub holding the agent's socket sends CANCEL; `delivered` once the frame is written. */
export const cancelRequestSchema = z.object({
  executionId: executionIdSchema,
  graceMs: z.number().int().min(0).max(60_000).optional(),
});
export type CancelRequest = z.infer<typeof cancelRequestSchema>;
export const cancelReplySchema = z.object({ delivered: z.boolean(), reason: z.string().optional() });
export type CancelReply = z.infer<typeof cancelReplySchema>;

/**
 * backup's answer when `migration.starting` is sent as a request (the migrator does, to wait for
 * the backups): the jobs its triggered policies queued, empty when no policy has that trigger.
 */
export const migrationStartingReplySchema = z.object({ jobIds: z.array(z.uuid()) });
export type MigrationStartingReply = z.infer<typeof migrationStartingReplySchema>;

/** A piece of an execution's output, as the agent streamed it (data is base64). Deduplicated by (stream, offset). */
export const executionOutputSchema = z.object({
  executionId: executionIdSchema,
  agentId: agentIdSchema,
  stream: z.enum(['stdout', 'stderr']),
  seq: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  data: z.base64(),
});
export type ExecutionOutput = z.infer<typeof executionOutputSchema>;

export const executionUpdateSchema = z.object({
  executionId: executionIdSchema,
  agentId: agentIdSchema,
  /** REJECTED: the agent refused to run it (its `error` says why); stored as FAILED. */
  status: z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'REJECTED']),
  exitCode: z.number().int().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  truncated: z.boolean().optional(),
  error: z.string().optional(),
  /** Output bytes the agent produced per stream (the full output travelled as executionOutput). */
  outputBytes: z.object({ stdout: z.number().int().nonnegative(), stderr: z.number().int().nonnegative() }).optional(),
  at: z.iso.datetime({ offset: true }),
});
export type ExecutionUpdate = z.infer<typeof executionUpdateSchema>;

export const telemetrySampleSchema = z.object({
  agentId: agentIdSchema,
  takenAt: z.iso.datetime({ offset: true }),
  cpuPercent: z.number(),
  memoryUsedBytes: z.number(),
  memoryTotalBytes: z.number(),
  load: z.tuple([z.number(), z.number(), z.number()]),
  diskUsedBytes: z.number(),
  diskTotalBytes: z.number(),
  uptimeSeconds: z.number(),
  ...telemetrySampleDetailShape,
});
export type TelemetrySample = z.infer<typeof telemetrySampleSchema>;

export const ALERT_TRANSITIONS = ['fired', 'escalated', 'acknowledged', 'resolved'] as const;
export type AlertTransition = (typeof ALERT_TRANSITIONS)[number];

/** One alert transition, as published on fleet.events.alert.<transition>. */
export const alertEventSchema = z.object({
  alertId: z.uuid(),
  ruleId: z.uuid(),
  ruleName: z.string(),
  agentId: agentIdSchema,
  metric: z.string(),
  /** The mount a per-mount disk alert is about; empty otherwise. */
  mount: z.string(),
  state: z.enum(['FIRING', 'ACKNOWLEDGED', 'RESOLVED']),
  severity: z.enum(['WARNING', 'CRITICAL']),
  transition: z.enum(ALERT_TRANSITIONS),
  /** The value that caused it (null for a person's act). */
  value: z.number().nullable(),
  /** Who acted (user or API key id); null when the evaluator did. */
  by: z.string().nullable(),
  at: z.iso.datetime({ offset: true }),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

/** One typed map from event name to payload schema. */
export const eventSchemas = {
  'agent.connected': z.object({ agentId: agentIdSchema, sessionId: z.string(), at: z.iso.datetime({ offset: true }) }),
  'agent.disconnected': z.object({
    agentId: agentIdSchema,
    sessionId: z.string(),
    code: z.number().int(),
    at: z.iso.datetime({ offset: true }),
  }),
  /**
   * agent-hub, to every hub instance (no queue group): an admin revoked or deleted the agent.
   * The instance holding its session closes it (4403); its credential is already refused.
   */
  'agent.revoked': z.object({
    agentId: agentIdSchema,
    reason: z.enum(['revoked', 'deleted']),
    at: z.iso.datetime({ offset: true }),
  }),
  /**
   * command, after each state change of an execution it really applied (never for an ignored
   * or duplicate update). A notification only: output stays in the database, read it with GetCommand.
   */
  'execution.updated': z.object({
    commandId: z.string(),
    executionId: executionIdSchema,
    agentId: agentIdSchema,
    state: z.enum(['PENDING', 'QUEUED', 'DISPATCHED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'SKIPPED', 'EXPIRED']),
    exitCode: z.number().int().optional(),
    at: z.iso.datetime({ offset: true }),
  }),
  /**
   * gateway, to every gateway instance (no queue group): credentials were revoked or their user
   * changed (disabled, deleted, demoted, sessions ended). Each instance re-checks the open
   * live-update streams matching any given field and closes those that no longer pass.
   */
  'credentials.revoked': z.object({
    userId: z.string().optional(),
    apiKeyId: z.string().optional(),
    /** A session: the refresh-token family an access token was issued for. */
    sid: z.string().optional(),
  }),
  /**
   * backup, on each state change of a job (backup, restore, verify, prune) and about once a second
   * while one runs: progress for the gateway's live stream and the CLI's progress bar. A
   * notification only (at most once): the job's catalogue row is the truth, read it with GetJob.
   */
  'backup.updated': z.object({
    jobId: z.uuid(),
    kind: z.enum(['BACKUP', 'RESTORE', 'VERIFY', 'PRUNE']),
    state: z.enum(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']),
    backupId: z.string().optional(),
    progress: z.object({
      bytesRead: z.number().nonnegative(),
      bytesStored: z.number().nonnegative(),
      /** Bytes read / plaintext bytes of new chunks so far (0 before anything new). */
      dedupRatio: z.number().nonnegative(),
      /** What the previous backup of the same sources read; 0 when unknown. */
      bytesExpected: z.number().nonnegative(),
      etaSeconds: z.number().nonnegative().nullable(),
    }),
    error: z.string().optional(),
    at: z.iso.datetime({ offset: true }),
  }),
  /**
   * backup, to every backup instance: stop this RUNNING job (CancelJob). The instance running it
   * aborts it; the others ignore it. At most once: CancelJob answers with the row, RUNNING if no
   * instance stopped it, and may be asked again.
   */
  'backup.cancel_requested': z.object({ jobId: z.uuid(), by: z.string().min(1), at: z.iso.datetime({ offset: true }) }),
  /**
   * A service is about to apply database migrations: `fleetplane-migrate deploy` sends it (as a
   * request, MIGRATE_NATS_URL set) when migrations are pending. Backup policies with
   * `trigger: "migration.starting"` take a backup of their sources when it arrives; a request is
   * answered with migrationStartingReplySchema, so the migrator can wait for those jobs.
   */
  'migration.starting': z.object({
    service: z.string().min(1),
    migrations: z.array(z.string()).optional(),
    at: z.iso.datetime({ offset: true }),
  }),
  /**
   * telemetry, after each alert transition it committed (issue #7): `fired` (a new alert, FIRING),
   * `escalated` (warning → critical on the same alert), `acknowledged` and `resolved` (automatic
   * below the clear threshold, or by a person). `by` names the person for ack / manual resolve.
   */
  'alert.fired': alertEventSchema,
  'alert.escalated': alertEventSchema,
  'alert.acknowledged': alertEventSchema,
  'alert.resolved': alertEventSchema,
  /** telemetry, to every telemetry instance: alert rules changed; each reloads them. */
  'alert_rules.changed': z.object({ ruleId: z.string(), at: z.iso.datetime({ offset: true }) }),
} as const;
export type EventName = keyof typeof eventSchemas;
export type EventPayload<N extends EventName> = z.infer<(typeof eventSchemas)[N]>;
