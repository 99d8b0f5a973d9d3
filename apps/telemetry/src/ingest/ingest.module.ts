import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { SamplesModule } from '../samples/samples.module.js';
import { DeadLetters } from './dead-letters.js';
import { SampleBatchWriter } from './sample-batch-writer.js';
import { SampleIngestService } from './sample-ingest.service.js';

/** JetStream → PostgreSQL (raw + rollups) → Redis (latest), in batches; poison to the dead-letter stream. */
@Module({
  imports: [MetricsModule, SamplesModule],
  providers: [SampleBatchWriter, DeadLetters, SampleIngestService],
  exports: [SampleIngestService],
})
export class IngestModule {}
