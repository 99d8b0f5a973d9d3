import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startInfra } from './index.js';
import { tcpExchange } from './tcp-probe.js';

describe('startInfra', () => {
  it('starts NATS, Redis and PostgreSQL together and stops them all', async () => {
    const infra = await startInfra();
    try {
      const nc = await connect({ servers: infra.nats.url });
      await nc.flush();
      await nc.close();
      expect(await tcpExchange(infra.redis.port, 'PING\r\n', (r) => r.endsWith('\r\n'))).toBe('+PONG\r\n');
      const client = new pg.Client(await infra.postgres.createDatabase('stack'));
      await client.connect();
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await infra.stop();
    }
  });
});
