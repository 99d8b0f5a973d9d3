import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';

/**
 * Reads the first `count` messages stored on `subject` in `stream` (an ordered
 * consumer, from the start), parsed as JSON; rejects when fewer arrive in time.
 */
export async function readStored(natsUrl: string, stream: string, subject: string, count: number, timeoutMs = 10_000): Promise<unknown[]> {
  const nc = await connect({ servers: natsUrl });
  // A single filter subject (not an array): nats-server 2.9 (Debian bookworm) has no multi-filter consumers.
  try {
    const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: subject });
    const out: unknown[] = [];
    const deadline = Date.now() + timeoutMs;
    while (out.length < count && Date.now() < deadline) {
      const batch = await consumer.fetch({ max_messages: count - out.length, expires: Math.max(1_000, Math.min(5_000, deadline - Date.now())) });
      for await (const m of batch) out.push(m.json());
    }
    if (out.length < count) throw new Error(`only ${out.length} of ${count} messages on ${subject} in ${stream} within ${timeoutMs} ms`);
    return out;
  } finally {
    await nc.close();
  }
}
