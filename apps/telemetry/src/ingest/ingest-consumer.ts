import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { streams } from '@fleetplane/contracts';
import type { NatsClient } from '@fleetplane/service-kit/nats';

export const DURABLE = 'telemetry';

export interface ConsumerSettings {
  ackWaitMs: number;
  maxAckPending: number;
}

/**
 * Creates or updates the durable consumer every instance shares. `max_deliver: -1`: JetStream
 * never gives a sample up, whatever its delivery count (before issue #7 it was 20 attempts a
 * second apart, so a PostgreSQL outage of 20 s lost data). An existing consumer is updated in
 * place, so it keeps its position in the stream.
 */
export async function openSampleConsumer(nats: NatsClient, s: ConsumerSettings): Promise<ConsumerMessages> {
  const jsm = await jetstreamManager(nats.connection);
  const tuning = { ack_wait: s.ackWaitMs * 1_000_000, max_deliver: -1, max_ack_pending: s.maxAckPending };
  const exists = await jsm.consumers.info(streams.telemetry.name, DURABLE).then(
    () => true,
    () => false,
  );
  if (exists) await jsm.consumers.update(streams.telemetry.name, DURABLE, tuning);
  else await jsm.consumers.add(streams.telemetry.name, { durable_name: DURABLE, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...tuning });
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
