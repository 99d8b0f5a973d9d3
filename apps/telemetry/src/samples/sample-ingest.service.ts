import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { streams, telemetrySampleSchema, type TelemetrySample } from '@fleetplane/contracts';
import { InjectConfig } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { TelemetryConfig } from '../config.js';
import { TelemetryMetrics } from '../metrics/telemetry-metrics.js';
import { LatestSampleRepository } from './latest-sample.repository.js';

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
    private readonly metrics: TelemetryMetrics,
    @InjectConfig() private readonly config: TelemetryConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.nats.ensureStream(streams.telemetry);
    await this.nats.consumeDurable(streams.telemetry.name, 'telemetry', telemetrySampleSchema, (s) => this.ingest(s));
    this.log.log(`consuming ${streams.telemetry.name}`);
  }

  async ingest(sample: TelemetrySample): Promise<void> {
    const stored = await this.samples.saveIfNewer(sample, this.config.LATEST_SAMPLE_TTL_SECONDS);
    this.metrics.sampleIngested(stored ? 'stored' : 'stale');
  }
}
