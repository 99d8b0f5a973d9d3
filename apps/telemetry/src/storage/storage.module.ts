import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PartitionMaintenance } from './partition-maintenance.js';

/** The history tables' partitions: created ahead, dropped past retention. */
@Module({ imports: [MetricsModule], providers: [PartitionMaintenance] })
export class StorageModule {}
