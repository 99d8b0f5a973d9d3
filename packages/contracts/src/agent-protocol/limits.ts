export const AGENT_PROTOCOL_VERSION = 1;
export const AGENT_WS_PATH = '/agent/v1';
/** Largest frame the hub accepts; `ws` closes larger ones with 1009 itself. */
export const MAX_AGENT_FRAME_BYTES = 1024 * 1024;
/** Each of stdout and stderr is cut to this many bytes in a RESULT. */
export const MAX_OUTPUT_BYTES = 256 * 1024;

/** WebSocket close codes the hub uses; 4xxx are private-use codes (RFC 6455 §7.4.2). */
export const AgentCloseCode = {
  /** Non-JSON, unknown message type or a message that fails its schema. */
  ProtocolError: 1002,
  /** Sent by `ws` itself for frames over MAX_AGENT_FRAME_BYTES. */
  MessageTooBig: 1009,
  GoingAway: 1001,
  Unauthorized: 4401,
  /** An admin revoked or deleted the agent (POST /agents/{id}/revoke, DELETE /agents/{id}): do not reconnect with this credential. */
  Revoked: 4403,
  HelloTimeout: 4408,
  /** No frame for three heartbeat intervals. */
  IdleTimeout: 4410,
  /** Another connection authenticated as the same agent. */
  Replaced: 4409,
  UnsupportedVersion: 4426,
  /**
   * Admission control: the hub is at its limit (new connections per second,
   * HELLOs in progress, or agents per instance). The reason carries a
   * `retry-after-ms=<n>` hint (see admission.ts); the agent waits at least that
   * long, plus jitter. A load balancer may send the retry to another instance.
   */
  TryAgainLater: 4429,
  /** The connection sent more frames or bytes per second than the hub's per-connection limit. */
  InboundRateExceeded: 4413,
} as const;

/** `code` of the ERROR frames either side sends. */
export const AgentErrorCode = {
  ProtocolError: 'PROTOCOL_ERROR',
  UnsupportedVersion: 'UNSUPPORTED_VERSION',
  /** The hub could not store a RESULT or TELEMETRY frame; the agent sends it again. */
  NotStored: 'NOT_STORED',
} as const;
