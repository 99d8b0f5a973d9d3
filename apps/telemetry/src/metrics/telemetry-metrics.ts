import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricFactory } from '@fleetplane/service-kit';

/** What telemetry counts, all `fleetplane_telemetry_…`. */
@Injectable()
export class TelemetryMetrics {
  private readonly samplesIngested: Counter<'outcome'>;

  constructor(metrics: MetricFactory) {
    this.samplesIngested = metrics.counter({
      name: 'samples_ingested_total',
      help: 'Agent samples taken from JetStream, by outcome (stored, stale)',
      labelNames: ['outcome'] as const,
    });
  }

  /** `stale`: a newer sample of the agent was already stored, so this one was dropped. */
  sampleIngested(outcome: 'stored' | 'stale'): void {
    this.samplesIngested.inc({ outcome });
  }
}
