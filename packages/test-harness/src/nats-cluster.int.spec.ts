import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, until, type NatsCluster } from './index.js';

const STREAM = 'CLUSTER';

describe('startNatsCluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    cluster = await startNatsCluster({ nodes: 3 });
    nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    jsm = await jetstreamManager(nc);
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it('names every node, gives each its own ports and store, and lists the client URLs', () => {
    expect(cluster.nodes.map((n) => n.name)).toEqual(['fleetplane-0', 'fleetplane-1', 'fleetplane-2']);
    expect(new Set(cluster.nodes.map((n) => n.storeDir)).size).toBe(3);
    expect(new Set(cluster.nodes.flatMap((n) => [n.port, n.clusterPort, n.monitorPort])).size).toBe(9);
    expect(cluster.urls).toEqual(cluster.nodes.map((n) => `nats://127.0.0.1:${n.port}`));
    expect(cluster.url).toBe(cluster.urls.join(','));
  });

  it('keeps an R3 stream writable and its durable consumer served while the leader is killed, and the restarted node catches up', async () => {
    await jsm.streams.add({ name: STREAM, subjects: ['cluster.>'], num_replicas: 3 });
    await jsm.consumers.add(STREAM, { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    const consumer = await js.consumers.get(STREAM, 'reader');

    // Publishes retry until acked: during the leader election a publish may time out, never vanish.
    let sent = 0;
    const publish = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const payload = String(sent);
        await until(
          `publish ${payload}`,
          () => js.publish('cluster.n', payload, { msgID: payload, timeout: 2_000 }),
          () => true,
        );
        sent++;
      }
    };
    const received = new Set<string>();
    const read = async (expected: number) => {
      await until(
        `${expected} messages read`,
        async () => {
          const batch = await consumer.fetch({ max_messages: 100, expires: 1_000 });
          for await (const m of batch) {
            received.add(m.string());
            m.ack();
          }
          return received.size;
        },
        (n) => n >= expected,
        30_000,
      );
    };

    await publish(50);
    await read(50);

    const before = await jsm.streams.info(STREAM);
    expect(before.cluster?.replicas).toHaveLength(2);
    const leader = cluster.nodes.find((n) => n.name === before.cluster?.leader);
    expect(leader).toBeDefined();
    await cluster.kill(leader!.index);
    expect(leader!.running).toBe(false);

    // Two of three replicas left: still a quorum, so publishes and reads go on under a new leader.
    await publish(50);
    await read(100);
    const during = await jsm.streams.info(STREAM);
    expect(during.cluster?.leader).not.toBe(leader!.name);
    expect(during.cluster?.replicas?.find((r) => r.name === leader!.name)?.offline ?? true).toBe(true);

    await publish(50);
    await cluster.restart(leader!.index);
    const caughtUp = await until(
      'the restarted node current',
      () => jsm.streams.info(STREAM),
      (i) => (i.cluster?.replicas ?? []).some((r) => r.name === leader!.name && r.current && !r.offline && (r.lag ?? 0) === 0),
    );
    expect(caughtUp.state.messages).toBe(150);
    await read(150);
    expect([...received].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i));
  }, 90_000);

  it('with one node starts a plain JetStream server (no cluster block: JetStream refuses one without routes)', async () => {
    const single = await startNatsCluster({ nodes: 1 });
    try {
      const c = await connect({ servers: single.urls });
      try {
        const m = await jetstreamManager(c);
        await m.streams.add({ name: 'SINGLE', subjects: ['single.>'] });
        await jetstream(c).publish('single.x', 'x');
        expect((await m.streams.info('SINGLE')).state.messages).toBe(1);
      } finally {
        await c.close();
      }
    } finally {
      await single.stop();
    }
  });
});
