import { z } from 'zod';
import { agentIdSchema, executionIdSchema, traceCarrierSchema } from '../ids.js';
import {
  AGENT_PROTOCOL_VERSION,
  MAX_CANCEL_GRACE_MS,
  MAX_FEATURE_NAME_LENGTH,
  MAX_FEATURES,
  MAX_OUTPUT_CHUNK_BASE64_CHARS,
  MAX_OUTPUT_CHUNK_BYTES,
} from './limits.js';

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
  /** Optional protocol features the agent supports (features.ts); absent = none, as for older agents. */
  features: z.array(z.string().max(MAX_FEATURE_NAME_LENGTH)).max(MAX_FEATURES).optional(),
});

export const helloAckSchema = z.object({
  ...envelope,
  type: z.literal('HELLO_ACK'),
  sessionId: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  telemetryIntervalMs: z.number().int().positive(),
  /**
   * The optional features the hub uses on this session: those of the HELLO's
   * `features` it supports. Absent = none (an older hub). An agent sends OUTPUT,
   * and waits for RESULT_ACK, only when they are listed here: an older hub closes
   * a connection that sends a frame type it does not know (1002).
   */
  features: z.array(z.string().max(MAX_FEATURE_NAME_LENGTH)).max(MAX_FEATURES).optional(),
});

export const heartbeatSchema = z.object({ ...envelope, type: z.literal('HEARTBEAT') });

/** Critical > High > Normal > Low, FIFO within one; an agent whose slots are full runs the queued ones in this order. */
export const commandPrioritySchema = z.enum(['CRITICAL', 'HIGH', 'NORMAL', 'LOW']);
export const DEFAULT_COMMAND_PRIORITY = 'NORMAL' satisfies CommandPriority;

export const commandSchema = z.object({
  ...envelope,
  type: z.literal('COMMAND'),
  executionId: executionIdSchema,
  commandId: z.string().min(1).max(64),
  verb: z.string().max(64),
  params: z.record(z.string(), z.unknown()),
  timeoutSeconds: z.number().int().positive(),
  /** Absent = DEFAULT_COMMAND_PRIORITY. */
  priority: commandPrioritySchema.optional(),
  /** Output bytes (per stream) the agent streams as OUTPUT; past it, it stops streaming and marks the result truncated. */
  outputCapBytes: z.number().int().positive().optional(),
});

/**
 * Hub → agent, only to agents that announced "cancel". Queued on the agent →
 * CANCELLED at once; running → SIGTERM to its process group, SIGKILL after
 * `graceMs` (absent = DEFAULT_CANCEL_GRACE_MS), then RESULT CANCELLED with the
 * output so far; unknown or finished → ignored (a CANCEL may be repeated).
 */
export const cancelSchema = z.object({
  ...envelope,
  type: z.literal('CANCEL'),
  executionId: executionIdSchema,
  graceMs: z.number().int().min(0).max(MAX_CANCEL_GRACE_MS).optional(),
});

/**
 * Agent → hub, from agents that announced "output": a piece of a running
 * execution's output. `seq` counts the execution's OUTPUT frames (both streams
 * share it, from 0); `offset` is the byte offset of `data` within its stream, so
 * a receiver can dedupe and place a re-sent piece. `data` is base64 of at most
 * MAX_OUTPUT_CHUNK_BYTES bytes.
 */
const base64DecodedBytes = (b64: string): number => Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);

export const outputStreamSchema = z.enum(['stdout', 'stderr']);
export const outputSchema = z.object({
  ...envelope,
  type: z.literal('OUTPUT'),
  executionId: executionIdSchema,
  stream: outputStreamSchema,
  seq: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  data: z
    .base64()
    .max(MAX_OUTPUT_CHUNK_BASE64_CHARS, `must be base64 of at most ${MAX_OUTPUT_CHUNK_BYTES} bytes`)
    // The length bound alone lets 1-2 bytes more through (padding); count the decoded bytes exactly.
    .refine((b64) => base64DecodedBytes(b64) <= MAX_OUTPUT_CHUNK_BYTES, `must be base64 of at most ${MAX_OUTPUT_CHUNK_BYTES} bytes`),
});

/**
 * Hub → agent, only to agents that announced "result-ack": the final RESULT of
 * this execution is durably stored. Until then the agent keeps the RESULT on
 * disk and sends it again after every HELLO_ACK.
 */
export const resultAckSchema = z.object({
  ...envelope,
  type: z.literal('RESULT_ACK'),
  executionId: executionIdSchema,
});

/**
 * RUNNING once the process started; then one final status. CANCELLED: stopped
 * by a CANCEL. REJECTED: the agent refused to run it (unknown verb, bad params,
 * its local queue full); `error` says why.
 */
export const resultStatusSchema = z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'REJECTED']);

export const resultSchema = z.object({
  ...envelope,
  type: z.literal('RESULT'),
  executionId: executionIdSchema,
  status: resultStatusSchema,
  exitCode: z.number().int().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  /**
   * Set when stdout/stderr were cut: to MAX_OUTPUT_BYTES, or with the "output"
   * feature to their last RESULT_SUMMARY_TAIL_BYTES, or when the streamed output
   * stopped at the command's outputCapBytes.
   */
  truncated: z.boolean().optional(),
  error: z.string().max(4096).optional(),
  /** Bytes the process wrote to each stream in total (with "output": the full output travelled as OUTPUT frames). */
  outputBytes: z.object({ stdout: z.number().int().nonnegative(), stderr: z.number().int().nonnegative() }).optional(),
});

const bytes = z.number().nonnegative();

/**
 * The richer parts of a sample (issue #7). Every field is optional and the protocol stays at
 * version 1: an older agent's frame is still valid, and the hub forwards these untouched.
 */
export const telemetrySampleDetailShape = {
  /** Busy percent per logical CPU, in /proc/stat order. */
  cpuCores: z.array(z.number().min(0).max(100)).max(1024).optional(),
  swapUsedBytes: bytes.optional(),
  swapTotalBytes: bytes.optional(),
  /** Real filesystems only (no tmpfs, proc, overlay…). */
  mounts: z
    .array(z.object({ mount: z.string().min(1).max(1024), fsType: z.string().max(64).optional(), usedBytes: bytes, totalBytes: bytes }))
    .max(256)
    .optional(),
  /** Counters since boot; the rates are over the interval since the agent's previous sample. */
  interfaces: z
    .array(
      z.object({
        name: z.string().min(1).max(64),
        rxBytes: bytes,
        txBytes: bytes,
        rxBytesPerSecond: bytes.optional(),
        txBytesPerSecond: bytes.optional(),
      }),
    )
    .max(256)
    .optional(),
  /** From the container engine's CLI, when one is present. */
  containers: z
    .object({
      engine: z.string().max(64),
      total: z.number().int().nonnegative(),
      running: z.number().int().nonnegative(),
      unhealthy: z.number().int().nonnegative(),
      restarting: z.number().int().nonnegative(),
    })
    .optional(),
  /** systemd units in state `failed`, where systemd exists. */
  failedUnits: z.array(z.string().max(256)).max(1024).optional(),
};

export const telemetrySchema = z.object({
  ...envelope,
  type: z.literal('TELEMETRY'),
  sample: z.object({
    cpuPercent: z.number().min(0).max(100),
    memoryUsedBytes: bytes,
    memoryTotalBytes: bytes,
    load: z.tuple([z.number(), z.number(), z.number()]),
    diskUsedBytes: bytes,
    diskTotalBytes: bytes,
    uptimeSeconds: bytes,
    ...telemetrySampleDetailShape,
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
export const agentToHubSchema = z.discriminatedUnion('type', [helloSchema, heartbeatSchema, resultSchema, outputSchema, telemetrySchema, errorSchema]);
/** Frames the hub sends to an agent. */
export const hubToAgentSchema = z.discriminatedUnion('type', [helloAckSchema, heartbeatSchema, commandSchema, cancelSchema, resultAckSchema, errorSchema]);

export type Hello = z.infer<typeof helloSchema>;
export type HelloAck = z.infer<typeof helloAckSchema>;
export type Heartbeat = z.infer<typeof heartbeatSchema>;
export type CommandFrame = z.infer<typeof commandSchema>;
export type CommandPriority = z.infer<typeof commandPrioritySchema>;
export type CancelFrame = z.infer<typeof cancelSchema>;
export type OutputFrame = z.infer<typeof outputSchema>;
export type OutputStream = z.infer<typeof outputStreamSchema>;
export type ResultAckFrame = z.infer<typeof resultAckSchema>;
export type ResultFrame = z.infer<typeof resultSchema>;
export type ResultStatus = z.infer<typeof resultStatusSchema>;
export type TelemetryFrame = z.infer<typeof telemetrySchema>;
export type ErrorFrame = z.infer<typeof errorSchema>;
export type AgentToHub = z.infer<typeof agentToHubSchema>;
export type HubToAgent = z.infer<typeof hubToAgentSchema>;
