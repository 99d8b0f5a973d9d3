import { Module } from '@nestjs/common';
import { TelemetryMetrics } from './telemetry-metrics.js';

/** The service's metrics, for every feature that counts something. */
@Module({ providers: [TelemetryMetrics], exports: [TelemetryMetrics] })
export class MetricsModule {}
