import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventSchemas, streams, subjects } from '@fleetplane/contracts';
import { shutdownTracing, startTracing } from '@fleetplane/observability';
import { startNats, type ServerHandle } from '@fleetplane/test-harness';
import { NatsClient, NatsRequestError, subjectTemplate } from './nats.client.js';

describe('subjectTemplate', () => {
  it('replaces the id tokens of catalogued subjects with *', () => {
    expect(subjectTemplate(subjects.agentCommands('web-1'))).toBe('fleet.agents.*.commands');
    expect(subjectTemplate(subjects.executionUpdates('0190a0a0-0000-7000-8000-000000000001'))).toBe('fleet.results.*');
    expect(subjectTemplate(subjects.telemetry('web-1'))).toBe('fleet.telemetry.*');
  });

  it('keeps event subjects and wildcard subjects, and knows nothing of other subjects', () => {
    expect(subjectTemplate(subjects.event('agent.connected'))).toBe('fleet.events.agent.connected');
    expect(subjectTemplate('fleet.results.>')).toBe('fleet.results.>');
    expect(subjectTemplate('fleet.agents.*.commands')).toBe('fleet.agents.*.commands');
    expect(subjectTemplate('fleet.agents.web-1.status')).toBeUndefined();
    expect(subjectTemplate('fleet.events.no.such')).toBeUndefined();
  });
});

describe('NatsClient spans follow the OTel messaging conventions (real nats-server)', () => {
  const exporter = new InMemorySpanExporter();
  let nats: ServerHandle;
  let client: NatsClient;

  beforeAll(async () => {
    await startTracing({ instrumentations: [], spanProcessors: [new SimpleSpanProcessor({ exporter })], esmHooks: false });
    nats = await startNats();
    client = new NatsClient();
    await client.connect(nats.url, 'spans-test');
  });

  afterAll(async () => {
    await client?.onApplicationShutdown();
    await nats?.stop();
    await shutdownTracing();
  });

  beforeEach(() => exporter.reset());

  /** Waits until spans named `names` have all ended (a consumer span ends after its handler). */
  async function spans(...names: string[]): Promise<Record<string, ReadableSpan>> {
    for (let i = 0; i < 200; i++) {
      const byName = Object.fromEntries(exporter.getFinishedSpans().map((s) => [s.name, s]));
      if (names.every((n) => byName[n])) return byName;
      await sleep(10);
    }
    throw new Error(
      `spans ${names.join(', ')} not all seen; got ${exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .join(', ')}`,
    );
  }

  const childOf = (child: ReadableSpan | undefined, parent: ReadableSpan | undefined) => {
    expect(child?.spanContext().traceId).toBe(parent?.spanContext().traceId);
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
  };

  it('request: a PRODUCER "publish <template>" span whose context the responder\'s "process <template>" span continues', async () => {
    const sub = client.subscribe(subjects.agentCommands('web-1'), z.object({ n: z.number() }), ({ n }) => ({ doubled: n * 2 }));
    try {
      expect(await client.request(subjects.agentCommands('web-1'), { n: 21 }, z.object({ doubled: z.number() }), 2_000)).toEqual({ doubled: 42 });
      const s = await spans('publish fleet.agents.*.commands', 'process fleet.agents.*.commands');
      const producer = s['publish fleet.agents.*.commands'];
      const consumer = s['process fleet.agents.*.commands'];
      expect(producer?.kind).toBe(SpanKind.PRODUCER);
      expect(producer?.attributes).toEqual({
        'messaging.system': 'nats',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': 'fleet.agents.web-1.commands',
        'messaging.destination.template': 'fleet.agents.*.commands',
      });
      expect(consumer?.kind).toBe(SpanKind.CONSUMER);
      expect(consumer?.attributes).toMatchObject({
        'messaging.system': 'nats',
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'fleet.agents.web-1.commands',
        'messaging.destination.template': 'fleet.agents.*.commands',
      });
      childOf(consumer, producer);
    } finally {
      sub.unsubscribe();
    }
  });

  it('a request nobody answers ends its producer span with an error', async () => {
    await expect(client.request(subjects.agentCommands('nobody'), {}, z.object({}), 1_000)).rejects.toBeInstanceOf(NatsRequestError);
    const producer = (await spans('publish fleet.agents.*.commands'))['publish fleet.agents.*.commands'];
    expect(producer?.status.code).toBe(SpanStatusCode.ERROR);
    expect(producer?.attributes['messaging.destination.name']).toBe('fleet.agents.nobody.commands');
  });

  it('emit and a queue-group subscriber: the event subject is its own template, the queue is the consumer group', async () => {
    const got: unknown[] = [];
    const sub = client.subscribe(subjects.event('agent.connected'), eventSchemas['agent.connected'], (e) => void got.push(e), { queue: 'hubs' });
    try {
      await client.connection.flush();
      client.emit('agent.connected', { agentId: 'web-1', sessionId: 's-1', at: new Date().toISOString() });
      const s = await spans('publish fleet.events.agent.connected', 'process fleet.events.agent.connected');
      expect(got).toHaveLength(1);
      expect(s['process fleet.events.agent.connected']?.attributes).toMatchObject({
        'messaging.destination.template': 'fleet.events.agent.connected',
        'messaging.consumer.group.name': 'hubs',
      });
      childOf(s['process fleet.events.agent.connected'], s['publish fleet.events.agent.connected']);
    } finally {
      sub.unsubscribe();
    }
  });

  it('JetStream: publishDurable and a batched durable consumer, each message named by the subject template, the durable as consumer group', async () => {
    await client.ensureStream(streams.commandResults);
    const got: string[] = [];
    await client.consumeDurableBatches(streams.commandResults.name, 'spans-test', z.object({ id: z.string() }), (batch) => {
      got.push(...batch.map((b) => b.payload.id));
      return Promise.resolve();
    });
    await client.publishDurable(subjects.executionUpdates('exec-1'), { id: 'exec-1' });
    const s = await spans('publish fleet.results.*', 'process fleet.results.*', 'handle batch fleet.results.*');
    expect(got).toEqual(['exec-1']);
    // The handler's own span is linked to the messages it handled.
    expect(s['handle batch fleet.results.*']?.links.map((l) => l.context.spanId)).toEqual([s['process fleet.results.*']?.spanContext().spanId]);
    expect(s['publish fleet.results.*']).toMatchObject({ kind: SpanKind.PRODUCER });
    expect(s['process fleet.results.*']?.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'fleet.results.exec-1',
      'messaging.destination.template': 'fleet.results.*',
      'messaging.consumer.group.name': 'spans-test',
    });
    childOf(s['process fleet.results.*'], s['publish fleet.results.*']);
  });

  it('an explicit template names a subject the catalogue does not know', async () => {
    client.publish('fleet.agents.web-1.status', { ok: true }, { template: 'fleet.agents.*.status' });
    const producer = (await spans('publish fleet.agents.*.status'))['publish fleet.agents.*.status'];
    expect(producer?.attributes['messaging.destination.name']).toBe('fleet.agents.web-1.status');
  });
});
