import { MAX_STREAM_FRAME_BYTES, MAX_SUBSCRIPTIONS, STREAM_PATH, StreamCloseCode } from '../stream/stream.protocol.js';

/**
 * The live-update WebSocket, which OpenAPI has no operation type for: the
 * document's `x-fleetplane-stream` extension, with its frames as the component
 * schemas `StreamClientFrame` and `StreamServerFrame` (built from the very zod
 * schemas the session parses and sends with).
 */
export const streamDescription = {
  path: STREAM_PATH,
  transport: 'WebSocket (RFC 6455) on the API port, JSON text frames',
  authentication:
    'The first frame, within STREAM_AUTH_TIMEOUT_MS: {"type":"auth","token":<access token>} or {"type":"auth","apiKey":<key>}. Needs role viewer and, for a key, scope commands:read (alert subscriptions also telemetry:read). Never by cookie or query string.',
  subscriptions:
    "After `ready`: `subscribe` (execution events), `subscribe_output` / `unsubscribe_output` (one execution's output), `subscribe_alerts` / `unsubscribe_alerts` (alert transitions; an unsubscribe names the same agentId / severity filters as the subscribe it ends, and is answered `alerts_unsubscribed`), `subscribe_backups` (backup jobs). Each is confirmed by its `*_subscribed` / `*_unsubscribed` frame.",
  limits: { maxFrameBytes: MAX_STREAM_FRAME_BYTES, maxSubscriptionsPerSocket: MAX_SUBSCRIPTIONS },
  clientFrame: { $ref: '#/components/schemas/StreamClientFrame' },
  serverFrame: { $ref: '#/components/schemas/StreamServerFrame' },
  closeCodes: {
    [StreamCloseCode.GoingAway]: 'the gateway is shutting down: reconnect (to another instance)',
    [StreamCloseCode.ProtocolError]: 'a frame that is not valid JSON or not a valid frame (an error frame names the field first)',
    1009: `a frame over ${MAX_STREAM_FRAME_BYTES} bytes`,
    [StreamCloseCode.InternalError]: 'an unexpected failure',
    [StreamCloseCode.TryAgainLater]: 'the client did not keep up with its events: reconnect and re-read state',
    [StreamCloseCode.Unauthorized]:
      'bad or missing credentials, `token expired`, `api key expired`, or `credentials revoked` while open (logout, password change, user disabled, deleted or demoted, sessions ended, key revoked): authenticate again before reconnecting',
    [StreamCloseCode.AuthTimeout]: 'no auth frame in time',
  },
};
