import { Module } from '@nestjs/common';
import { TileMetrics } from './tile-metrics.js';

/** The service's one metrics class, shared by every feature that counts something. */
@Module({ providers: [TileMetrics], exports: [TileMetrics] })
export class MetricsModule {}
