import { describe, expect, it } from 'vitest';
import { startRedis } from './index.js';
import { tcpExchange } from './tcp-probe.js';

// One RESP round trip per command; enough to prove the server works without a client library.
const resp = (...parts: string[]) => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;

describe('startRedis', () => {
  it('answers PING, SET and GET over RESP', async () => {
    const redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    try {
      expect(await tcpExchange(redis.port, resp('PING'), (r) => r.endsWith('\r\n'))).toBe('+PONG\r\n');
      expect(await tcpExchange(redis.port, resp('SET', 'k', 'v1'), (r) => r.endsWith('\r\n'))).toBe('+OK\r\n');
      expect(await tcpExchange(redis.port, resp('GET', 'k'), (r) => r.endsWith('v1\r\n'))).toBe('$2\r\nv1\r\n');
    } finally {
      await redis.stop();
    }
  });
});
