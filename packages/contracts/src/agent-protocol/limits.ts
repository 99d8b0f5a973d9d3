export const AGENT_PROTOCOL_VERSION = 1;
export const AGENT_WS_PATH = '/agent/v1';
/** Largest frame the hub accepts; `ws` closes larger ones with 1009 itself. */
export const MAX_AGENT_FRAME_BYTES = 1024 * 1024;
/** Each of stdout and stderr is cut to this many bytes in a RESULT (agents without the "output" feature). */
export const MAX_OUTPUT_BYTES = 256 * 1024;

/** HELLO `features`: at most this many names, each at most MAX_FEATURE_NAME_LENGTH characters. */
export const MAX_FEATURES = 32;
export const MAX_FEATURE_NAME_LENGTH = 64;

/** Decoded bytes of one OUTPUT frame's `data` (its base64 is 4/3 as long). */
export const MAX_OUTPUT_CHUNK_BYTES = 64 * 1024;
export const MAX_OUTPUT_CHUNK_BASE64_CHARS = Math.ceil(MAX_OUTPUT_CHUNK_BYTES / 3) * 4;
/**
 * An agent coalesces a process's output and flushes it at most every
 * OUTPUT_FLUSH_INTERVAL_MS, or sooner once OUTPUT_FLUSH_BYTES are buffered, so a
 * chatty process sends few large frames instead of one per write.
 */
export const OUTPUT_FLUSH_INTERVAL_MS = 100;
export const OUTPUT_FLUSH_BYTES = 32 * 1024;
/** With the "output" feature the final RESULT keeps only this many trailing bytes of each stream (`truncated` when cut). */
export const RESULT_SUMMARY_TAIL_BYTES = 4 * 1024;

/** CANCEL: time between SIGTERM and SIGKILL of the process group when `graceMs` is absent, and its upper bound. */
export const DEFAULT_CANCEL_GRACE_MS = 5_000;
export const MAX_CANCEL_GRACE_MS = 60_000;

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
