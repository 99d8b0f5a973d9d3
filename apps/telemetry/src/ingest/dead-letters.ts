import { Injectable } from '@nestjs/common';
import type { JsMsg } from '@nats-io/jetstream';
import { streams, subjects, type DeadLetter } from '@fleetplane/contracts';
import { Clock } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { TelemetryMetrics } from '../metrics/telemetry-metrics.js';
import type { DeadLetterReason } from './sample-decoder.js';

const MAX_DATA_BYTES = 64 * 1024;

/**
 * Poison goes to `fleet.deadletter.telemetry` (stream DEAD_LETTER), counted by reason, and only
 * then is the original terminated: a message the service cannot use is set aside for a person,
 * never silently dropped. If the dead-letter stream cannot take it, the original is redelivered.
 */
@Injectable()
export class DeadLetters {
  constructor(
    private readonly nats: NatsClient,
    private readonly clock: Clock,
    private readonly metrics: TelemetryMetrics,
  ) {}

  async ensureStream(): Promise<void> {
    await this.nats.ensureStream(streams.deadLetter, 30 * 86_400);
  }

  async send(m: JsMsg, reason: DeadLetterReason, detail: string): Promise<void> {
    const letter: DeadLetter = {
      stream: m.info.stream,
      subject: m.subject,
      streamSeq: m.seq,
      reason: `${reason}: ${detail}`.slice(0, 1024),
      data: new TextDecoder().decode(m.data.subarray(0, MAX_DATA_BYTES)),
      at: this.clock.now().toISOString(),
    };
    try {
      await this.nats.publishDurable(subjects.deadLetter('telemetry'), letter);
    } catch {
      m.nak(5_000);
      return;
    }
    // No reason text on the term: nats-server 2.9 (Debian bookworm's) does not parse `+TERM <reason>` and leaves the message pending.
    m.term();
    this.metrics.deadLettered(reason);
  }
}
