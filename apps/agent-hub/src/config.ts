import { z } from 'zod';
import { loadConfig, port, serviceEnv, url } from '@fleetplane/service-kit';

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
  NATS_URL: url(['nats']),
  /** Told to agents in HELLO_ACK; a socket silent for MISSED_HEARTBEATS_BEFORE_CLOSE intervals is closed. */
  HEARTBEAT_INTERVAL_MS: millis(15_000),
  /** How long a new socket may take to send its HELLO. */
  HELLO_TIMEOUT_MS: millis(10_000),
  /** Told to agents in HELLO_ACK: how often they send TELEMETRY. */
  TELEMETRY_INTERVAL_MS: millis(15_000),
});
export type HubConfig = z.infer<typeof hubConfigSchema>;
export const loadHubConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(hubConfigSchema, env);
