import { z } from 'zod';
import {
  agentIdSchema,
  alertEventSchema,
  eventSchemas,
  executionIdSchema,
  executionOutputSchema,
  type AlertEvent,
  type EventPayload,
  type ExecutionOutput,
} from '@fleetplane/contracts';

/**
 * The gateway's client WebSocket protocol at `/api/v1/stream` (JSON text frames).
 * It is the gateway's own contract with operators' clients, documented in the README.
 */
export const STREAM_PATH = '/api/v1/stream';
/** `ws` closes a socket sending a bigger frame with 1009; client frames are tiny. */
export const MAX_STREAM_FRAME_BYTES = 16 * 1024;
export const MAX_SUBSCRIPTIONS = 100;

export const StreamCloseCode = {
  GoingAway: 1001,
  ProtocolError: 1002,
  InternalError: 1011,
  /** Unread events piled up past the limit: the client does not keep up. */
  TryAgainLater: 1013,
  /**
   * Bad, missing or expired credentials (after the first frame, or when a JWT or key runs
   * out: `token expired`, `api key expired`), or credentials revoked while the socket is open
   * (`credentials revoked`: logout, password change, user disabled/deleted/demoted, sessions
   * ended, key revoked). Either way: authenticate again before reconnecting.
   */
  Unauthorized: 4401,
  /** No auth frame within the timeout. */
  AuthTimeout: 4408,
} as const;

const authFrame = z
  .strictObject({
    type: z.literal('auth'),
    token: z.string().min(1).max(8192).optional(),
    apiKey: z.string().min(1).max(256).optional(),
  })
  .refine((f) => (f.token === undefined) !== (f.apiKey === undefined), { message: 'give exactly one of token or apiKey', path: ['token'] });

const subscribeFrame = z.strictObject({
  type: z.literal('subscribe'),
  commandId: z.uuid({ message: 'must be a command id (uuid)' }).optional(),
  agentId: agentIdSchema.optional(),
});

/**
 * Follow one execution's output while it runs: the gateway pushes each chunk the agent streams
 * (`execution.output`) from the moment it is subscribed; what came before is read with
 * GET /commands/{id}/executions/{eid}/output (a chunk's `offset` says where it belongs).
 */
const subscribeOutputFrame = z.strictObject({ type: z.literal('subscribe_output'), executionId: executionIdSchema });
const unsubscribeOutputFrame = z.strictObject({ type: z.literal('unsubscribe_output'), executionId: executionIdSchema });

/**
 * Alert transitions (issue #7): every alert.fired / escalated / acknowledged / resolved from
 * now on, optionally only of one agent or at one severity (needs role viewer and, for a key,
 * scope telemetry:read as well). Current state: GET /alerts.
 */
const subscribeAlertsFrame = z.strictObject({
  type: z.literal('subscribe_alerts'),
  agentId: agentIdSchema.optional(),
  severity: z.enum(['WARNING', 'CRITICAL']).optional(),
});
/**
 * Ends the alert subscription with exactly these filters (as `unsubscribe_output` ends one
 * execution's output); the others stay. Answered `alerts_unsubscribed` whether or not it existed.
 */
const unsubscribeAlertsFrame = subscribeAlertsFrame.extend({ type: z.literal('unsubscribe_alerts') });

/**
 * Backup jobs (issue #8): every `backup.updated` from now on — each state change of a backup,
 * restore, verify or prune job and its progress about once a second while it runs — optionally of
 * one job only (needs role viewer and, for a key, scope backups:read, as GET /backup-jobs/{id}).
 */
const subscribeBackupsFrame = z.strictObject({ type: z.literal('subscribe_backups'), jobId: z.uuid({ message: 'must be a backup job id (uuid)' }).optional() });

export const clientFrameSchema = z.discriminatedUnion('type', [
  authFrame,
  subscribeFrame,
  subscribeOutputFrame,
  unsubscribeOutputFrame,
  subscribeAlertsFrame,
  unsubscribeAlertsFrame,
  subscribeBackupsFrame,
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type AuthFrame = z.infer<typeof authFrame>;
export type SubscribeFrame = z.infer<typeof subscribeFrame>;
export type OutputFrame = z.infer<typeof subscribeOutputFrame> | z.infer<typeof unsubscribeOutputFrame>;
export type SubscribeAlertsFrame = z.infer<typeof subscribeAlertsFrame>;
export type UnsubscribeAlertsFrame = z.infer<typeof unsubscribeAlertsFrame>;
export type AlertSubscription = Pick<SubscribeAlertsFrame, 'agentId' | 'severity'>;
export type SubscribeBackupsFrame = z.infer<typeof subscribeBackupsFrame>;
export type BackupUpdated = EventPayload<'backup.updated'>;
export type { AlertEvent };
export type { ExecutionOutput };
export const CLIENT_FRAME_TYPES = [
  'auth',
  'subscribe',
  'subscribe_output',
  'unsubscribe_output',
  'subscribe_alerts',
  'unsubscribe_alerts',
  'subscribe_backups',
] as const;

export type ExecutionUpdated = EventPayload<'execution.updated'>;
/** No filter matches everything the caller may see. */
export type Subscription = Pick<SubscribeFrame, 'commandId' | 'agentId'>;

/** What the gateway sends: described in the OpenAPI document (`StreamServerFrame`) from this schema. */
export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).describe('the auth frame was accepted; subscribe next'),
  subscribeFrame.extend({ type: z.literal('subscribed') }).describe('a subscription is active (no filter: everything)'),
  eventSchemas['execution.updated']
    .extend({ type: z.literal('execution.updated') })
    .describe('an execution changed state; read its output with GET /commands/{id}/executions/{eid}/output'),
  z.object({ type: z.literal('output_subscribed'), executionId: executionIdSchema }).describe("the execution's output chunks follow as they are streamed"),
  z.object({ type: z.literal('output_unsubscribed'), executionId: executionIdSchema }).describe('no more output chunks of this execution'),
  executionOutputSchema
    .extend({ type: z.literal('execution.output') })
    .describe('a chunk of output (data is base64) at `offset` of its stream; `seq` counts the chunks; may repeat a chunk: keep one per (stream, offset)'),
  subscribeAlertsFrame.extend({ type: z.literal('alerts_subscribed') }).describe('alert transitions matching the filters follow'),
  subscribeAlertsFrame
    .extend({ type: z.literal('alerts_unsubscribed') })
    .describe('the alert subscription with these filters has ended (the others, if any, go on)'),
  ...(['fired', 'escalated', 'acknowledged', 'resolved'] as const).map((t) =>
    alertEventSchema
      .extend({ type: z.literal(`alert.${t}`) })
      .describe(
        `an alert ${t === 'fired' ? 'opened (FIRING)' : t === 'escalated' ? 'went from warning to critical' : t}; GET /alerts/{alertId} has its history`,
      ),
  ),
  subscribeBackupsFrame.extend({ type: z.literal('backups_subscribed') }).describe('backup job events (of the one job, when named) follow'),
  eventSchemas['backup.updated']
    .extend({ type: z.literal('backup.updated') })
    .describe('a backup, restore, verify or prune job changed state or made progress; GET /backup-jobs/{jobId} has the whole job'),
  z
    .object({ type: z.literal('error'), message: z.string(), field: z.string().nullable() })
    .describe('a refused frame; when it is fatal the close code follows (1002 protocol, 4401 credentials)'),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

export type DecodedFrame = { ok: true; frame: ClientFrame } | { ok: false; message: string; field: string };

/** Parses one received text frame; a failure names the offending field (`frame` when it is not a JSON object). */
export function decodeClientFrame(text: string): DecodedFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, message: 'frame is not valid JSON', field: 'frame' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, message: 'frame must be a JSON object', field: 'frame' };
  const parsed = clientFrameSchema.safeParse(data);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'frame';
  const message =
    issue.path[0] === 'type' || issue.code === 'invalid_union' ? `type must be one of ${CLIENT_FRAME_TYPES.map((t) => `"${t}"`).join(', ')}` : issue.message;
  return { ok: false, message, field };
}

/** A subscribe_alerts / unsubscribe_alerts frame's filters, and the key one socket keeps them under. */
export function alertSubscriptionOf(frame: Pick<SubscribeAlertsFrame, 'agentId' | 'severity'>): { sub: AlertSubscription; key: string } {
  const sub: AlertSubscription = {
    ...(frame.agentId !== undefined ? { agentId: frame.agentId } : {}),
    ...(frame.severity !== undefined ? { severity: frame.severity } : {}),
  };
  return { sub, key: `${sub.agentId ?? '*'}/${sub.severity ?? '*'}` };
}

export const alertMatches = (s: AlertSubscription, e: AlertEvent): boolean =>
  (s.agentId === undefined || s.agentId === e.agentId) && (s.severity === undefined || s.severity === e.severity);

export const matches = (s: Subscription, e: ExecutionUpdated): boolean =>
  (s.commandId === undefined || s.commandId === e.commandId) && (s.agentId === undefined || s.agentId === e.agentId);
