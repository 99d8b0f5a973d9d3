import { z } from 'zod';
import { loadConfig, port, serviceEnv, url } from '@fleetplane/service-kit';

export const telemetryConfigSchema = z.object({
  ...serviceEnv,
  HTTP_PORT: port(4300),
  GRPC_PORT: port(5300),
  NATS_URL: url(['nats', 'tls']),
  REDIS_URL: url(['redis', 'rediss']),
  /** An agent silent for this long has no "latest" sample any more. */
  LATEST_SAMPLE_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
});
export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;
export const loadTelemetryConfig = () => loadConfig(telemetryConfigSchema);
