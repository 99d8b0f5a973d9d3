import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type ServerHandle } from '@fleetplane/test-harness';
import { GcraStore } from './gcra-store.js';

// The GCRA script on a real redis-server, through two stores on two connections, as two
// gateway instances would use it: the state and the clock (Redis's TIME) are shared.

let redis: ServerHandle;
const clients: Redis[] = [];
let a: GcraStore;
let b: GcraStore;

beforeAll(async () => {
  redis = await startRedis();
  clients.push(new Redis(redis.url), new Redis(redis.url));
  a = new GcraStore(clients[0]!);
  b = new GcraStore(clients[1]!);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('GcraStore on Redis', () => {
  it('lets two instances share one limit: the limit at once, then refusals with the wait', async () => {
    const spec = { limit: 5, windowMs: 60_000 };
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(await (i % 2 === 0 ? a : b).take('t:shared', spec));
    expect(seen.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 4],
      [true, 3],
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    const refused = await b.take('t:shared', spec);
    expect(refused).toMatchObject({ allowed: false, limit: 5, remaining: 0 });
    // One request frees up every window / limit = 12 s after the first; the whole window a minute after it.
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(12_000);
    expect(refused.resetMs).toBeGreaterThan(48_000);
    expect(refused.resetMs).toBeLessThanOrEqual(60_000);
    expect((await a.take('t:shared', spec)).allowed).toBe(false);
    // Another key is untouched.
    expect(await a.take('t:other', spec)).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('slides: after the wait it names, exactly one more request is allowed', async () => {
    // One request every 1.5 s: the test waits one interval.
    const spec = { limit: 4, windowMs: 6_000 };
    for (let i = 0; i < 4; i++) expect((await (i % 2 === 0 ? a : b).take('t:slide', spec)).allowed).toBe(true);
    const refused = await a.take('t:slide', spec);
    expect(refused.allowed).toBe(false);
    await sleep(refused.retryAfterMs);
    expect(await b.take('t:slide', spec)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await a.take('t:slide', spec)).allowed).toBe(false);
  });

  it('does not count refused requests, and lets the key expire once it is back to full', async () => {
    const spec = { limit: 2, windowMs: 20_000 };
    await a.take('t:expire', spec);
    await a.take('t:expire', spec);
    for (let i = 0; i < 5; i++) expect((await b.take('t:expire', spec)).allowed).toBe(false);
    const ttl = await clients[0]!.pttl('t:expire');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(20_000);
  });

  it('takes a limit whose interval is below the clock resolution (a billion a minute)', async () => {
    const spec = { limit: 1_000_000_000, windowMs: 60_000 };
    for (let i = 0; i < 3; i++) expect((await a.take('t:huge', spec)).allowed).toBe(true);
  });

  it('keeps working after Redis lost its script cache (a restart)', async () => {
    const spec = { limit: 3, windowMs: 60_000 };
    expect((await a.take('t:flush', spec)).remaining).toBe(2);
    await clients[0]!.script('FLUSH');
    expect((await a.take('t:flush', spec)).remaining).toBe(1);
    expect((await b.take('t:flush', spec)).remaining).toBe(0);
  });
});
