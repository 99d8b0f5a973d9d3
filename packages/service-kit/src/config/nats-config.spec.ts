import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jetstreamReplicas, natsServers, splitServers } from './load-config.js';

const schema = z.object({ NATS_URL: natsServers(['nats', 'tls']), JETSTREAM_REPLICAS: jetstreamReplicas });
const issues = (env: Record<string, string>) => schema.safeParse(env).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('NATS configuration', () => {
  it('takes one server or a comma-separated list of them, and defaults to one replica', () => {
    expect(schema.parse({ NATS_URL: 'nats://127.0.0.1:4222' })).toEqual({ NATS_URL: 'nats://127.0.0.1:4222', JETSTREAM_REPLICAS: 1 });
    const list = 'nats://nats-0:4222, nats://nats-1:4222,tls://nats-2:4222';
    expect(schema.parse({ NATS_URL: list, JETSTREAM_REPLICAS: '3' })).toEqual({ NATS_URL: list, JETSTREAM_REPLICAS: 3 });
    expect(splitServers(list)).toEqual(['nats://nats-0:4222', 'nats://nats-1:4222', 'tls://nats-2:4222']);
  });

  it('names the bad entry of a list, and refuses replicas outside 1–5', () => {
    expect(issues({ NATS_URL: 'nats://a:4222,http://b:4222' })).toEqual(['NATS_URL: "http://b:4222": must start with nats:// or tls://']);
    expect(issues({ NATS_URL: 'nats://a:4222,' })[0]).toMatch(/^NATS_URL: "": /);
    expect(issues({ NATS_URL: '' })).toHaveLength(1);
    expect(issues({ NATS_URL: 'nats://a:4222', JETSTREAM_REPLICAS: '0' })[0]).toMatch(/^JETSTREAM_REPLICAS: /);
    expect(issues({ NATS_URL: 'nats://a:4222', JETSTREAM_REPLICAS: '6' })[0]).toMatch(/^JETSTREAM_REPLICAS: /);
    expect(issues({})[0]).toMatch(/^NATS_URL: /);
  });
});
