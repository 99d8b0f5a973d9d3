import { Module } from '@nestjs/common';
import { CommandMetrics } from './command-metrics.js';

/** The service's one metrics class, shared by every feature that counts something. */
@Module({ providers: [CommandMetrics], exports: [CommandMetrics] })
export class MetricsModule {}
