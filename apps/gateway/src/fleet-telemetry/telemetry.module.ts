import { Module } from '@nestjs/common';
import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import type { GatewayConfig } from '../config.js';
import { TelemetryController } from './telemetry.controller.js';
import { TELEMETRY, TELEMETRY_HISTORY, TelemetryService } from './telemetry.service.js';

/**
 * Agent telemetry, answered by the telemetry service over gRPC (latest from its Redis, history
 * and the fleet summary from its PostgreSQL). Not a readiness dependency: while telemetry is
 * down these routes answer 503 and the rest of the API keeps working.
 */
@Module({
  imports: [
    GrpcClientModule.register(
      {
        upstream: TELEMETRY,
        key: 'telemetry',
        service: telemetryV1.TELEMETRY_SERVICE_NAME,
        url: (config: GatewayConfig) => config.TELEMETRY_GRPC_URL,
        timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
      },
      {
        upstream: TELEMETRY_HISTORY,
        key: 'telemetry',
        service: telemetryV1.TELEMETRY_HISTORY_SERVICE_NAME,
        url: (config: GatewayConfig) => config.TELEMETRY_GRPC_URL,
        timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
      },
    ),
  ],
  controllers: [TelemetryController],
  providers: [TelemetryService],
})
export class TelemetryModule {}
