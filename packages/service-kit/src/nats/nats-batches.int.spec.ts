import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startNats, type ServerHandle } from '@fleetplane/test-harness';
import { NatsClient, redeliveryDelayMs } from './nats.client.js';

const item = z.object({ n: z.number().int() });

async function until(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('NatsClient.consumeDurableBatches (real nats-server with JetStream)', () => {
  let nats: ServerHandle;
  let client: NatsClient;
  let streamNo = 0;

  beforeAll(async () => {
    nats = await startNats();
    client = new NatsClient();
    await client.connect(nats.url, 'batches-test');
  });

  afterAll(async () => {
    await client?.onApplicationShutdown();
    await nats?.stop();
  });

  /** A fresh stream per test, so one test's messages never reach another's consumer. */
  async function stream(): Promise<{ name: string; subject: string }> {
    const name = `BATCHES_${++streamNo}`;
    await client.ensureStream({ name, subjects: [`batches.${streamNo}.>`] });
    return { name, subject: `batches.${streamNo}.x` };
  }

  const backlog = async (s: string, durable: string) => {
    const info = await (await jetstreamManager(client.connection)).consumers.info(s, durable);
    return info.num_pending + info.num_ack_pending;
  };

  it('hands over a backlog in batches of at most maxBatch, in stream order, each message once, and acks them all', async () => {
    const s = await stream();
    for (let n = 0; n < 300; n++) await client.publishDurable(s.subject, { n });
    const batches: number[][] = [];
    await client.consumeDurableBatches(
      s.name,
      'order',
      item,
      async (batch) => {
        batches.push(batch.map((b) => b.payload.n));
        await sleep(5);
      },
      { maxBatch: 50 },
    );
    await until(() => batches.flat().length >= 300, '300 messages');
    await until(async () => (await backlog(s.name, 'order')) === 0, 'every message acked');
    expect(batches.flat()).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(50);
    // A backlog is not handled message by message.
    expect(batches.length).toBeLessThan(300 / 5);
  });

  it('a lone message is handed over at once, as a batch of one', async () => {
    const s = await stream();
    const batches: number[][] = [];
    await client.consumeDurableBatches(s.name, 'lone', item, (batch) => Promise.resolve(void batches.push(batch.map((b) => b.payload.n))));
    await client.publishDurable(s.subject, { n: 7 });
    await until(() => batches.length === 1, 'the batch');
    expect(batches).toEqual([[7]]);
  });

  it('a failed batch is redelivered, not lost; messages after it are handled too', async () => {
    const s = await stream();
    const seen: number[] = [];
    let failures = 0;
    await client.consumeDurableBatches(s.name, 'retry', item, (batch) => {
      if (batch.some((b) => b.payload.n === 1) && failures === 0) {
        failures++;
        return Promise.reject(new Error('database away'));
      }
      seen.push(...batch.map((b) => b.payload.n));
      return Promise.resolve();
    });
    for (let n = 0; n < 5; n++) await client.publishDurable(s.subject, { n });
    await until(() => new Set(seen).size === 5, 'all five handled', 15_000);
    expect(failures).toBe(1);
    expect([...new Set(seen)].sort()).toEqual([0, 1, 2, 3, 4]);
    await until(async () => (await backlog(s.name, 'retry')) === 0, 'every message acked');
  });

  it('terminates an unparseable message and hands over the rest', async () => {
    const s = await stream();
    const seen: number[] = [];
    await client.consumeDurableBatches(s.name, 'bad', item, (batch) => Promise.resolve(void seen.push(...batch.map((b) => b.payload.n))));
    await client.publishDurable(s.subject, { n: 'not a number' });
    await client.publishDurable(s.subject, { n: 2 });
    await until(() => seen.includes(2), 'the good message');
    await until(async () => (await backlog(s.name, 'bad')) === 0, 'nothing left (the bad one terminated)');
    expect(seen).toEqual([2]);
  });

  it('ensureDurableConsumer creates the consumer (explicit acks, max_deliver -1) and updates it in place, keeping its position', async () => {
    const s = await stream();
    await client.ensureDurableConsumer(s.name, 'ensured', { ackWaitMs: 5_000, maxAckPending: 100 });
    const jsm = await jetstreamManager(client.connection);
    const created = await jsm.consumers.info(s.name, 'ensured');
    expect(created.config).toMatchObject({ ack_policy: 'explicit', max_deliver: -1, max_ack_pending: 100, ack_wait: 5_000_000_000 });
    const js = jetstream(client.connection);
    for (let n = 0; n < 3; n++) await js.publish(s.subject, JSON.stringify({ n }));
    const consumer = await js.consumers.get(s.name, 'ensured');
    const first = await consumer.next();
    first?.ack();
    await until(async () => (await jsm.consumers.info(s.name, 'ensured')).ack_floor.stream_seq === 1, 'the first ack');
    await client.ensureDurableConsumer(s.name, 'ensured', { ackWaitMs: 9_000, maxAckPending: 200 });
    const updated = await jsm.consumers.info(s.name, 'ensured');
    expect(updated.config).toMatchObject({ max_deliver: -1, max_ack_pending: 200, ack_wait: 9_000_000_000 });
    // Not recreated: what was acked stays acked, the rest is still to come.
    expect(updated.ack_floor.stream_seq).toBe(1);
    expect(updated.num_pending).toBe(2);
  });

  it('redelivery backs off 1 s, 2 s, 4 s … and stays at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(redeliveryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });
});
