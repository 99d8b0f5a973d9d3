import { Module } from '@nestjs/common';
import { ExecutionsModule } from '../executions/executions.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { ExecutionUpdatesService } from './execution-updates.service.js';
import { OutputRetention } from '../output/output-retention.js';
import { OutputConsumer } from './output.consumer.js';
import { ResultsConsumer } from './results.consumer.js';

/** Execution progress and results from JetStream, applied to the stored executions. Exports nothing. */
@Module({
  imports: [ExecutionsModule, MetricsModule],
  providers: [ExecutionUpdatesService, ResultsConsumer, OutputConsumer, OutputRetention],
})
export class ResultsModule {}
