import { z } from 'zod';
import { loadConfig, port, serviceEnv, url } from '@fleetplane/service-kit';

const millis = (fallback: number) => z.coerce.number().int().min(100).max(3_600_000).default(fallback);

export const hubConfigSchema = z.object({
  ...serviceEnv,
  HTTP_PORT: port(4100),
  GRPC_PORT: port(5100),
  DATABASE_URL: url(['postgresql', 'postgres']),
  NATS_URL: url(['nats']),
  /** Told to agents in HELLO_ACK; a socket silent for 3 intervals is closed. */
  HEARTBEAT_INTERVAL_MS: millis(15_000),
  /** How long a new socket may take to send its HELLO. */
  HELLO_TIMEOUT_MS: millis(10_000),
  /** Told to agents in HELLO_ACK: how often they send TELEMETRY. */
  TELEMETRY_INTERVAL_MS: millis(15_000),
});
export type HubConfig = z.infer<typeof hubConfigSchema>;
export const loadHubConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(hubConfigSchema, env);

/** DI token under which AppModule provides the validated config. */
export const HUB_CONFIG = Symbol('HUB_CONFIG');
