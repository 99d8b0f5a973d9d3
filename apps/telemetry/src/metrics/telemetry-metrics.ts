import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricFactory } from '@fleetplane/service-kit';
import type { DeadLetterReason } from '../ingest/sample-decoder.js';

/** What telemetry counts, all `fleetplane_telemetry_…`. */
@Injectable()
export class TelemetryMetrics {
  private readonly samplesIngested: Counter<'outcome'>;
  private readonly deadLetters: Counter<'reason'>;
  private readonly batchSize: Histogram;
  private readonly ingestLag: Histogram;
  private readonly batchFailures: Counter;
  private readonly consumerPending: Gauge<'kind'>;
  private readonly partitions: Counter<'change'>;

  constructor(metrics: MetricFactory) {
    this.samplesIngested = metrics.counter({
      name: 'samples_ingested_total',
      help: 'Samples taken from JetStream, by outcome: stored (a new row), duplicate (a redelivery already stored), dead_lettered',
      labelNames: ['outcome'] as const,
    });
    this.deadLetters = metrics.counter({
      name: 'dead_letters_total',
      help: 'Messages set aside on fleet.deadletter.telemetry instead of stored, by reason',
      labelNames: ['reason'] as const,
    });
    this.batchSize = metrics.histogram({
      name: 'ingest_batch_size',
      help: 'Samples per stored batch (one multi-row insert)',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    });
    this.ingestLag = metrics.histogram({
      name: 'ingest_lag_seconds',
      help: 'From a sample being taken to it being stored',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    });
    this.batchFailures = metrics.counter({
      name: 'ingest_batch_failures_total',
      help: 'Batches that could not be stored (dependency away) and were handed back to JetStream for a later attempt',
    });
    this.consumerPending = metrics.gauge({
      name: 'consumer_pending',
      help: 'Samples JetStream holds for the consumer: pending (not delivered yet) and ack_pending (delivered, not yet stored)',
      labelNames: ['kind'] as const,
    });
    this.partitions = metrics.counter({
      name: 'partitions_changed_total',
      help: 'History partitions created ahead or dropped past retention',
      labelNames: ['change'] as const,
    });
  }

  batchStored(size: number, inserted: number, lagsSeconds: readonly number[]): void {
    this.batchSize.observe(size);
    this.samplesIngested.inc({ outcome: 'stored' }, inserted);
    if (size > inserted) this.samplesIngested.inc({ outcome: 'duplicate' }, size - inserted);
    for (const lag of lagsSeconds) this.ingestLag.observe(Math.max(0, lag));
  }

  batchFailed(): void {
    this.batchFailures.inc();
  }

  deadLettered(reason: DeadLetterReason): void {
    this.samplesIngested.inc({ outcome: 'dead_lettered' });
    this.deadLetters.inc({ reason });
  }

  consumerBacklog(pending: number, ackPending: number): void {
    this.consumerPending.set({ kind: 'pending' }, pending);
    this.consumerPending.set({ kind: 'ack_pending' }, ackPending);
  }

  partitionsChanged(created: number, dropped: number): void {
    if (created) this.partitions.inc({ change: 'created' }, created);
    if (dropped) this.partitions.inc({ change: 'dropped' }, dropped);
  }
}
