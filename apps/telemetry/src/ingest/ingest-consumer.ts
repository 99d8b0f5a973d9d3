import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { streams } from '@fleetplane/contracts';
import type { NatsClient } from '@fleetplane/service-kit/nats';

export const DURABLE = 'telemetry';

export interface ConsumerSettings {
  ackWaitMs: number;
  maxAckPending: number;
}

/**
 * The durable consumer every instance shares, created or updated in place by service-kit's
 * `ensureDurableConsumer`: `max_deliver: -1`, so JetStream never gives a sample up, whatever its
 * delivery count (before issue #7 it was 20 attempts a second apart, so a PostgreSQL outage of
 * 20 s lost data), and an existing consumer keeps its position in the stream.
 */
export async function openSampleConsumer(nats: NatsClient, s: ConsumerSettings): Promise<ConsumerMessages> {
  await nats.ensureDurableConsumer(streams.telemetry.name, DURABLE, s);
  const consumer = await jetstream(nats.connection).consumers.get(streams.telemetry.name, DURABLE);
  return consumer.consume({ max_messages: Math.min(s.maxAckPending, 10_000) });
}

/** What JetStream still holds for the consumer: not yet delivered plus delivered but unacked. */
export async function consumerBacklog(nats: NatsClient): Promise<{ pending: number; ackPending: number }> {
  const jsm = await jetstreamManager(nats.connection);
  const info = await jsm.consumers.info(streams.telemetry.name, DURABLE);
  return { pending: info.num_pending, ackPending: info.num_ack_pending };
}

export type { JsMsg };
