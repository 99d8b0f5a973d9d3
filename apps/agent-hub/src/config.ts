import { z } from 'zod';
import { jetstreamReplicas, loadConfig, natsServers, port, serviceEnv, url } from '@fleetplane/service-kit';

const millis = (fallback: number) => z.coerce.number().int().min(100).max(3_600_000).default(fallback);

/**
 * Missing this many heartbeats closes an agent's socket, and an agent seen
 * longer ago than that no longer counts as connected. One number for both,
 * so the protocol and the registry never disagree about who is online.
 */
export const MISSED_HEARTBEATS_BEFORE_CLOSE = 3;

export const hubConfigSchema = z.object({
  ...serviceEnv,
  HTTP_PORT: port(4100),
  GRPC_PORT: port(5100),
  /** /metrics on a port of its own: HTTP_PORT is the agents' public WebSocket endpoint. */
  METRICS_PORT: port(9410),
  DATABASE_URL: url(['postgresql', 'postgres']),
  NATS_URL: natsServers(['nats']),
  JETSTREAM_REPLICAS: jetstreamReplicas,
  /** Told to agents in HELLO_ACK; a socket silent for MISSED_HEARTBEATS_BEFORE_CLOSE intervals is closed. */
  HEARTBEAT_INTERVAL_MS: millis(15_000),
  /** How long a new socket may take to send its HELLO. */
  HELLO_TIMEOUT_MS: millis(10_000),
  /** Told to agents in HELLO_ACK: how often they send TELEMETRY. */
  TELEMETRY_INTERVAL_MS: millis(15_000),
  // Admission control (protocol/admission-control.ts): the excess is closed with 4429 and a retry-after hint.
  /** Sockets (authenticated or not) this instance holds at most; a load balancer moves the refused elsewhere. */
  MAX_AGENTS: z.coerce.number().int().min(1).max(1_000_000).default(60_000),
  /** New connections accepted per second (a token bucket holding one second's worth). */
  MAX_CONNECTS_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(1_000),
  /** HELLOs being checked and recorded at once (their reads and writes are batched: one SELECT and one UPDATE per batch). */
  MAX_CONCURRENT_HELLOS: z.coerce.number().int().min(1).max(10_000).default(256),
  /**
   * Sockets upgraded whose HELLO_ACK has not gone out yet (waiting for their HELLO or in it); more
   * upgrades are refused (503). At most MAX_CONCURRENT_HELLOS, an admitted socket always finds a
   * HELLO slot, so the excess of a storm is refused before its WebSocket exists, not after.
   */
  MAX_PENDING_HANDSHAKES: z.coerce.number().int().min(1).max(100_000).default(256),
  /** The retry-after hint of a refusal; the agent waits between it and twice it. */
  ADMISSION_RETRY_AFTER_MS: millis(5_000),
  // Per-connection inbound limits (1-second windows): a peer over either is closed with 4413.
  INBOUND_FRAMES_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(100),
  /** Default 4 MiB; at least one largest frame (MAX_AGENT_FRAME_BYTES, 1 MiB) per second. */
  INBOUND_BYTES_PER_SECOND: z.coerce.number().int().min(1_048_576).max(1_073_741_824).default(4_194_304),
  /** How often last-seen is written (one UPDATE for every session seen since) and this instance beats. Keep it well under the presence window (3 heartbeats). */
  PRESENCE_FLUSH_MS: millis(5_000),
  /** POST /v1/enroll: enrollments handled at once (each holds a database transaction); the excess gets 503 + Retry-After. */
  ENROLL_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(16),
  /** POST /v1/enroll: the Retry-After (seconds) of that 503. */
  ENROLL_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** POST /v1/enroll: larger request bodies are refused with 413 (a token and an id need a few hundred bytes). */
  ENROLL_MAX_BODY_BYTES: z.coerce.number().int().min(256).max(102_400).default(4096),
});
export type HubConfig = z.infer<typeof hubConfigSchema>;
export const loadHubConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(hubConfigSchema, env);
