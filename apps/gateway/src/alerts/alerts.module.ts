import { Module } from '@nestjs/common';
import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import { AuditModule } from '../audit/audit.module.js';
import type { GatewayConfig } from '../config.js';
import { AlertRulesController, AlertsController } from './alerts.controller.js';
import { AlertsService, TELEMETRY_ALERTS } from './alerts.service.js';

/**
 * /alerts and /alert-rules over telemetry's AlertService (the same address as the telemetry
 * routes). Not a readiness dependency: while telemetry is down these answer 503.
 */
@Module({
  imports: [
    AuditModule,
    GrpcClientModule.register({
      upstream: TELEMETRY_ALERTS,
      key: 'telemetry',
      service: telemetryV1.ALERT_SERVICE_NAME,
      url: (config: GatewayConfig) => config.TELEMETRY_GRPC_URL,
      timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
    }),
  ],
  controllers: [AlertsController, AlertRulesController],
  providers: [AlertsService],
})
export class AlertsModule {}
