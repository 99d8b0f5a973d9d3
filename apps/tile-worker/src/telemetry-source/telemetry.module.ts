import { Module } from '@nestjs/common';
import { agentHubV1, telemetryV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import type { TileWorkerConfig } from '../config.js';
import { AGENT_HUB, TELEMETRY, TelemetryReader } from './telemetry-reader.js';

/**
 * Telemetry sources: telemetry's StreamHistory for the points, agent-hub's registry for the
 * agents' sites. Neither is a readiness dependency: while one is down, only jobs reading
 * telemetry wait (QUEUED, retried with backoff).
 */
@Module({
  imports: [
    GrpcClientModule.register(
      {
        upstream: TELEMETRY,
        key: 'telemetry',
        service: telemetryV1.TELEMETRY_HISTORY_SERVICE_NAME,
        url: (config: TileWorkerConfig) => config.TELEMETRY_GRPC_URL,
        // Each read passes the job's own timeout: a stream lasts as long as the job may.
        timeoutMs: 60_000,
      },
      {
        upstream: AGENT_HUB,
        key: 'agentHub',
        service: agentHubV1.AGENT_REGISTRY_SERVICE_NAME,
        url: (config: TileWorkerConfig) => config.AGENT_HUB_GRPC_URL,
        timeoutMs: 30_000,
      },
    ),
  ],
  providers: [TelemetryReader],
  exports: [TelemetryReader],
})
export class TelemetryModule {}
