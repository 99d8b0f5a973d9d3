import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Counter } from 'prom-client';
import { streams, telemetrySampleSchema, type TelemetrySample } from '@fleetplane/contracts';
import { metricsRegistry } from '@fleetplane/observability';
import { NatsClient } from '@fleetplane/service-kit';
import { TELEMETRY_CONFIG, type TelemetryConfig } from '../config.js';
import { LatestSampleRepository } from './latest-sample.repository.js';

const samplesIngested = new Counter({
  name: 'telemetry_samples_ingested_total',
  help: 'Agent samples taken from JetStream, by outcome (stored, stale)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

/**
 * Consumes the TELEMETRY stream through one durable consumer shared by every
 * instance: a sample is acked only once Redis has it, so a crash loses nothing.
 */
@Injectable()
export class SampleIngestService implements OnApplicationBootstrap {
  private readonly log = new Logger(SampleIngestService.name);

  constructor(
    private readonly nats: NatsClient,
    private readonly samples: LatestSampleRepository,
    @Inject(TELEMETRY_CONFIG) private readonly config: TelemetryConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.nats.ensureStream(streams.telemetry);
    await this.nats.consumeDurable(streams.telemetry.name, 'telemetry', telemetrySampleSchema, (s) => this.ingest(s));
    this.log.log(`consuming ${streams.telemetry.name}`);
  }

  async ingest(sample: TelemetrySample): Promise<void> {
    const stored = await this.samples.saveIfNewer(sample, this.config.LATEST_SAMPLE_TTL_SECONDS);
    samplesIngested.inc({ outcome: stored ? 'stored' : 'stale' });
  }
}
