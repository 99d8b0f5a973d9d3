import { z } from 'zod';
import { agentIdSchema, executionIdSchema, traceCarrierSchema } from '../ids.js';
import { AGENT_PROTOCOL_VERSION } from './limits.js';

// Every frame carries an id, a timestamp and the protocol version; COMMAND and
// RESULT also carry the execution id and the W3C trace context.
const envelope = {
  v: z.literal(AGENT_PROTOCOL_VERSION),
  id: z.string().min(1).max(64),
  ts: z.iso.datetime({ offset: true }),
  trace: traceCarrierSchema.optional(),
};

const boundedLabels = z.record(z.string().max(63), z.string().max(255)).refine((l) => Object.keys(l).length <= 64, {
  message: 'at most 64 labels',
});

export const helloSchema = z.object({
  ...envelope,
  type: z.literal('HELLO'),
  agentId: agentIdSchema,
  token: z.string().min(16).max(256),
  inventory: z.object({
    site: z.string().max(128).default(''),
    os: z.string().max(128),
    kernel: z.string().max(256),
    version: z.string().max(64),
    capabilities: z.array(z.string().max(64)).max(64).default([]),
    containerEngine: z.string().max(64).default(''),
    labels: boundedLabels.default({}),
  }),
});

export const helloAckSchema = z.object({
  ...envelope,
  type: z.literal('HELLO_ACK'),
  sessionId: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  telemetryIntervalMs: z.number().int().positive(),
});

export const heartbeatSchema = z.object({ ...envelope, type: z.literal('HEARTBEAT') });

export const commandSchema = z.object({
  ...envelope,
  type: z.literal('COMMAND'),
  executionId: executionIdSchema,
  commandId: z.string().min(1).max(64),
  verb: z.string().max(64),
  params: z.record(z.string(), z.unknown()),
  timeoutSeconds: z.number().int().positive(),
});

export const resultStatusSchema = z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT']);

export const resultSchema = z.object({
  ...envelope,
  type: z.literal('RESULT'),
  executionId: executionIdSchema,
  status: resultStatusSchema,
  exitCode: z.number().int().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  /** Set when stdout/stderr were cut to MAX_OUTPUT_BYTES. */
  truncated: z.boolean().optional(),
  error: z.string().max(4096).optional(),
});

export const telemetrySchema = z.object({
  ...envelope,
  type: z.literal('TELEMETRY'),
  sample: z.object({
    cpuPercent: z.number().min(0).max(100),
    memoryUsedBytes: z.number().nonnegative(),
    memoryTotalBytes: z.number().nonnegative(),
    load: z.tuple([z.number(), z.number(), z.number()]),
    diskUsedBytes: z.number().nonnegative(),
    diskTotalBytes: z.number().nonnegative(),
    uptimeSeconds: z.number().nonnegative(),
  }),
});

export const errorSchema = z.object({
  ...envelope,
  type: z.literal('ERROR'),
  code: z.string().max(64),
  message: z.string().max(4096),
  /** The id of the frame this error answers, when there is one. */
  replyTo: z.string().max(64).optional(),
});

/** Frames an agent may send to the hub. */
export const agentToHubSchema = z.discriminatedUnion('type', [helloSchema, heartbeatSchema, resultSchema, telemetrySchema, errorSchema]);
/** Frames the hub sends to an agent. */
export const hubToAgentSchema = z.discriminatedUnion('type', [helloAckSchema, heartbeatSchema, commandSchema, errorSchema]);

export type Hello = z.infer<typeof helloSchema>;
export type HelloAck = z.infer<typeof helloAckSchema>;
export type Heartbeat = z.infer<typeof heartbeatSchema>;
export type CommandFrame = z.infer<typeof commandSchema>;
export type ResultFrame = z.infer<typeof resultSchema>;
export type ResultStatus = z.infer<typeof resultStatusSchema>;
export type TelemetryFrame = z.infer<typeof telemetrySchema>;
export type ErrorFrame = z.infer<typeof errorSchema>;
export type AgentToHub = z.infer<typeof agentToHubSchema>;
export type HubToAgent = z.infer<typeof hubToAgentSchema>;
