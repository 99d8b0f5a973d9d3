import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startNats } from './index.js';

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('startNats', () => {
  it('serves JetStream on loopback and frees the port on stop', async () => {
    const nats = await startNats();
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    try {
      const nc = await connect({ servers: nats.url });
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
        const js = jetstream(nc);
        await js.publish('harness.hello', 'world');
        await jsm.consumers.add('HARNESS', { durable_name: 'reader' });
        const consumer = await js.consumers.get('HARNESS', 'reader');
        const msg = await consumer.next({ expires: 5_000 });
        expect(msg?.subject).toBe('harness.hello');
        expect(msg?.string()).toBe('world');
        msg?.ack();
      } finally {
        await nc.close();
      }
    } finally {
      await nats.stop();
    }
    expect(await canBind(nats.port)).toBe(true);
  });
});
