import { describe, expect, it } from 'vitest';
import type { NatsClient } from '@fleetplane/service-kit/nats';
import { ExecutionOutputFeed } from './execution-output-feed.js';
import type { ExecutionOutput } from './stream.protocol.js';

/** Records subscriptions and lets the test deliver to them, as NatsClient.subscribe does after parsing. */
function fakeNats() {
  const subs: { subject: string; handler: (c: ExecutionOutput) => void; unsubscribed: boolean }[] = [];
  const nats = {
    subscribe: (subject: string, _schema: unknown, handler: (c: ExecutionOutput) => void) => {
      const sub = { subject, handler, unsubscribed: false };
      subs.push(sub);
      return { unsubscribe: () => (sub.unsubscribed = true) };
    },
    ping: () => Promise.resolve(),
  } as unknown as Pick<NatsClient, 'subscribe' | 'ping'>;
  return { nats, subs };
}

const chunk = (executionId: string): ExecutionOutput => ({ executionId, agentId: 'a-1', stream: 'stdout', seq: 0, offset: 0, data: 'aGk=' });

describe(ExecutionOutputFeed.name, () => {
  it('holds one NATS subscription per followed execution, from its first follower to its last', async () => {
    const { nats, subs } = fakeNats();
    const feed = new ExecutionOutputFeed(nats);
    const got: string[] = [];
    const { stop: stopA } = feed.follow('e-1', () => got.push('a'));
    const { stop: stopB, ready } = feed.follow('e-1', () => got.push('b'));
    await expect(ready).resolves.toBeUndefined();
    expect(subs.map((s) => s.subject)).toEqual(['fleet.output.e-1']);
    subs[0]!.handler(chunk('e-1'));
    expect(got).toEqual(['a', 'b']);
    stopA();
    stopA();
    expect(subs[0]!.unsubscribed).toBe(false);
    stopB();
    expect(subs[0]!.unsubscribed).toBe(true);
    expect(feed.executions).toBe(0);
    // Followed again later: a new subscription.
    feed.follow('e-1', () => undefined);
    expect(subs).toHaveLength(2);
  });

  it('delivers to the other followers when one throws', () => {
    const { nats, subs } = fakeNats();
    const feed = new ExecutionOutputFeed(nats);
    const got: string[] = [];
    feed.follow('e-1', () => {
      throw new Error('socket gone');
    });
    feed.follow('e-1', () => got.push('ok'));
    subs[0]!.handler(chunk('e-1'));
    expect(got).toEqual(['ok']);
  });
});
