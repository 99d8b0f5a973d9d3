import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams } from '@fleetplane/contracts';
import { startNatsCluster, until, type NatsCluster } from '@fleetplane/test-harness';
import { NatsClient } from './nats.client.js';

describe('NatsClient on a 3-node cluster (real nats-servers)', () => {
  let cluster: NatsCluster;
  let client: NatsClient;

  beforeAll(async () => {
    cluster = await startNatsCluster({ nodes: 3 });
    client = new NatsClient();
    // NATS_URL's list form, as a deployment gives it.
    await client.connect(cluster.url, 'cluster-test', { replicas: 3 });
  }, 60_000);

  afterAll(async () => {
    await client?.onApplicationShutdown();
    await cluster?.stop();
  });

  it('creates streams with JETSTREAM_REPLICAS replicas, and brings an existing R1 stream up to them', async () => {
    const jsm = await jetstreamManager(client.connection);
    await client.ensureStream(streams.commandResults);
    const created = await jsm.streams.info(streams.commandResults.name);
    expect(created.config.num_replicas).toBe(3);
    expect(created.cluster?.replicas).toHaveLength(2);

    await jsm.streams.add({ name: 'OLD', subjects: ['old.>'], num_replicas: 1 });
    await client.ensureStream({ name: 'OLD', subjects: ['old.>'] });
    expect((await jsm.streams.info('OLD')).config.num_replicas).toBe(3);
  });

  it('keeps publishing durably while the server it is connected to is killed', async () => {
    await client.ensureStream({ name: 'FAILOVER', subjects: ['failover.>'] });
    const connectedTo = client.connection.getServer();
    const node = cluster.nodes.find((n) => connectedTo.endsWith(`:${n.port}`));
    expect(node).toBeDefined();
    await cluster.kill(node!.index);
    // The client reconnects to a surviving node; the publish waits for it, then is stored.
    for (let i = 0; i < 20; i++) {
      for (;;) {
        try {
          await client.publishDurable(`failover.${i}`, { i });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    // Right after the kill the JetStream API may still time out while the cluster elects a new
    // meta or stream leader, so the count is read until it answers. A publish whose ack was lost in
    // the failover is sent again and may be stored twice; what must hold is that none is missing.
    const stored = await until(
      'the stream answers with every subject',
      async () => {
        const jsm = await jetstreamManager(client.connection);
        return (await jsm.streams.info('FAILOVER', { subjects_filter: 'failover.>' })).state.subjects ?? {};
      },
      (subjects) => Object.keys(subjects).length === 20,
      30_000,
    );
    expect(Object.keys(stored).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `failover.${i}`).sort());
    expect(client.connection.getServer()).not.toBe(connectedTo);
    await cluster.restart(node!.index);
  }, 60_000);
});
