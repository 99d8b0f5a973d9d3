import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { streams, type TelemetrySample } from '@fleetplane/contracts';
import { inSpan, SpanKind } from '@fleetplane/observability';
import { BatchCollector, Clock, InjectConfig, PeriodicTask } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { TelemetryConfig } from '../config.js';
import { TelemetryMetrics } from '../metrics/telemetry-metrics.js';
import { LatestSampleRepository } from '../samples/latest-sample.repository.js';
import { historyTables } from '../storage/history-tables.js';
import type { PartitionedTable } from '../storage/partition-plan.js';
import { decodeSample } from './sample-decoder.js';
import { DeadLetters } from './dead-letters.js';
import { consumerBacklog, DURABLE, openSampleConsumer } from './ingest-consumer.js';
import { RetryBackoff } from './retry-backoff.js';
import { SampleBatchWriter } from './sample-batch-writer.js';

interface Received {
  msg: JsMsg;
  sample: TelemetrySample;
}

/** Listeners told of every batch once it is stored (alert evaluation). */
export type StoredSamplesListener = (samples: readonly TelemetrySample[]) => Promise<void> | void;

/**
 * Ingest: the TELEMETRY stream through the durable consumer every instance shares, in batches —
 * one statement stores a batch's raw rows and both rollups, then Redis gets each agent's newest
 * sample, and only then is the batch acked. A batch that fails (PostgreSQL or Redis away) is
 * handed back to JetStream with a growing delay and the consumer pauses for as long: JetStream
 * holds the samples until the dependency returns. Poison goes to the dead-letter stream.
 */
@Injectable()
export class SampleIngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(SampleIngestService.name);
  private readonly collector: BatchCollector<Received>;
  private readonly backoff: RetryBackoff;
  private readonly raw: PartitionedTable;
  private readonly backlogTask: PeriodicTask<void>;
  private readonly listeners: StoredSamplesListener[] = [];
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private pausedUntil = 0;
  /** The listeners' run for the previous batch: it overlaps the next batch's write (one at a time). */
  private notifying: Promise<void> = Promise.resolve();

  constructor(
    private readonly nats: NatsClient,
    private readonly writer: SampleBatchWriter,
    private readonly latest: LatestSampleRepository,
    private readonly deadLetters: DeadLetters,
    private readonly metrics: TelemetryMetrics,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: TelemetryConfig,
  ) {
    this.collector = new BatchCollector((batch) => this.store(batch), { maxSize: config.INGEST_BATCH_SIZE, lingerMs: config.INGEST_BATCH_LINGER_MS });
    this.backoff = new RetryBackoff(config.INGEST_RETRY_MIN_MS, config.INGEST_RETRY_MAX_MS);
    this.raw = historyTables(config).raw;
    this.backlogTask = new PeriodicTask(() => this.measureBacklog(), 5_000);
  }

  onStored(listener: StoredSamplesListener): void {
    this.listeners.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.nats.ensureStream(streams.telemetry);
    await this.deadLetters.ensureStream();
    this.messages = await openSampleConsumer(this.nats, { ackWaitMs: this.config.INGEST_ACK_WAIT_MS, maxAckPending: this.config.INGEST_MAX_ACK_PENDING });
    this.loop = (async () => {
      for await (const m of this.messages!) this.receive(m);
    })().catch((err: unknown) => this.log.error(`consumer loop ended: ${(err as Error).message}`));
    this.backlogTask.start();
    this.log.log(`consuming ${streams.telemetry.name} as ${DURABLE}`);
  }

  /** Before NATS drains: stop taking messages, store (and ack) what is buffered. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.backlogTask.stop();
    await this.messages?.close();
    await this.loop;
    await this.collector.drain();
    await this.notifying;
  }

  private receive(m: JsMsg): void {
    const now = this.clock.nowMs();
    const decoded = decodeSample(m.data, this.raw, now);
    if (!decoded.ok) {
      void this.deadLetters.send(m, decoded.reason, decoded.detail);
      return;
    }
    // Paused after a failed batch: hand it straight back for when the pause ends.
    if (now < this.pausedUntil) {
      m.nak(this.pausedUntil - now);
      return;
    }
    this.collector.push({ msg: m, sample: decoded.sample });
  }

  private async store(batch: Received[]): Promise<void> {
    await inSpan(
      `process ${streams.telemetry.subjects[0]}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { 'messaging.system': 'nats', 'messaging.batch.message_count': batch.length, 'messaging.consumer.group.name': DURABLE },
      },
      async () => {
        const unique = uniqueSamples(batch);
        try {
          const inserted = await this.writer.write(unique);
          await this.latest.saveNewest(newestPerAgent(unique), this.config.LATEST_SAMPLE_TTL_SECONDS);
          for (const b of batch) b.msg.ack();
          this.backoff.reset();
          this.pausedUntil = 0;
          const now = this.clock.nowMs();
          this.metrics.batchStored(
            batch.length,
            inserted,
            unique.map((s) => (now - Date.parse(s.takenAt)) / 1000),
          );
          // The listeners (alert evaluation) of this batch run while the next batch is written;
          // waiting for the previous batch's first keeps them in order and bounds them to one.
          await this.notifying;
          this.notifying = this.notify(unique);
        } catch (err) {
          const delay = this.backoff.next();
          this.pausedUntil = this.clock.nowMs() + delay;
          for (const b of batch) b.msg.nak(delay);
          this.metrics.batchFailed();
          this.log.warn(
            `batch of ${batch.length} not stored (attempt ${this.backoff.consecutiveFailures}), retrying in ${delay} ms: ${(err as Error).message}`,
          );
        }
      },
    );
  }

  private async notify(samples: readonly TelemetrySample[]): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(samples);
      } catch (err) {
        this.log.error(`stored-samples listener failed: ${(err as Error).message}`);
      }
    }
  }

  private async measureBacklog(): Promise<void> {
    try {
      const b = await consumerBacklog(this.nats);
      this.metrics.consumerBacklog(b.pending, b.ackPending);
    } catch {
      // NATS away: /ready says so; the gauge keeps its last value.
    }
  }
}

/** A redelivery can put the same sample twice in one batch; the insert needs each row once. */
function uniqueSamples(batch: readonly Received[]): TelemetrySample[] {
  const seen = new Map<string, TelemetrySample>();
  for (const { sample } of batch) seen.set(`${sample.agentId}\u0000${Date.parse(sample.takenAt)}`, sample);
  return [...seen.values()];
}

function newestPerAgent(samples: readonly TelemetrySample[]): TelemetrySample[] {
  const newest = new Map<string, TelemetrySample>();
  for (const s of samples) {
    const cur = newest.get(s.agentId);
    if (!cur || Date.parse(s.takenAt) > Date.parse(cur.takenAt)) newest.set(s.agentId, s);
  }
  return [...newest.values()];
}
