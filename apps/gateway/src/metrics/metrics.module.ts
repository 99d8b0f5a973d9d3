import { Module } from '@nestjs/common';
import { GatewayMetrics } from './gateway-metrics.js';

/** The gateway's metrics, one instance shared by auth, audit and the stream. */
@Module({ providers: [GatewayMetrics], exports: [GatewayMetrics] })
export class MetricsModule {}
