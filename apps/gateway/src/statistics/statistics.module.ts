import { Module } from '@nestjs/common';
import { agentHubV1, commandV1, telemetryV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import type { GatewayConfig } from '../config.js';
import { StatisticsController } from './statistics.controller.js';
import { AGENT_HUB_STATISTICS, COMMAND_STATISTICS, StatisticsService, TELEMETRY_ALERT_COUNTS } from './statistics.service.js';

/**
 * /statistics, from agent-hub's FleetStatisticsService and command's
 * CommandStatisticsService (and telemetry's AlertService for the open alerts): the same peers and addresses as /agents and
 * /commands (and the same upstream names in metrics), clients of their own
 * because they are other services of those packages.
 */
@Module({
  imports: [
    GrpcClientModule.register(
      {
        upstream: AGENT_HUB_STATISTICS,
        key: 'agentHub',
        service: agentHubV1.FLEET_STATISTICS_SERVICE_NAME,
        url: (config: GatewayConfig) => config.AGENT_HUB_GRPC_URL,
        timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
      },
      {
        upstream: COMMAND_STATISTICS,
        key: 'command',
        service: commandV1.COMMAND_STATISTICS_SERVICE_NAME,
        url: (config: GatewayConfig) => config.COMMAND_GRPC_URL,
        timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
      },
      {
        upstream: TELEMETRY_ALERT_COUNTS,
        key: 'telemetry',
        service: telemetryV1.ALERT_SERVICE_NAME,
        url: (config: GatewayConfig) => config.TELEMETRY_GRPC_URL,
        timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
      },
    ),
  ],
  controllers: [StatisticsController],
  providers: [StatisticsService],
})
export class StatisticsModule {}
