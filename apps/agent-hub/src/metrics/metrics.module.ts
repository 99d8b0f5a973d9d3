import { Module } from '@nestjs/common';
import { HubMetrics } from './hub-metrics.js';

/** The hub's metrics, one instance shared by the protocol and routing. */
@Module({ providers: [HubMetrics], exports: [HubMetrics] })
export class MetricsModule {}
