import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { connect, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { eventSchemas, streams, subjects, type EventName, type EventPayload } from '@fleetplane/contracts';
import { contextFromHeaders, injectIntoHeaders, inSpan, SpanKind } from '@fleetplane/observability';
import { context as otelContext, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { z } from 'zod';
import { BatchCollector } from '../batching/batch-collector.js';
import { splitServers } from '../config/load-config.js';

/** One message of a batch from `consumeDurableBatches`: its payload, and its trace context for work done on its behalf. */
export interface BatchItem<T> {
  payload: T;
  msg: JsMsg;
  context: Context;
}

export interface DurableBatchOptions {
  /** Most messages handed to the handler at once (default 500). */
  maxBatch?: number;
  /** Most delivered-but-unacked messages the server allows the consumer (default 10,000). */
  maxAckPending?: number;
}

/** Redelivery after a failed batch: 1 s, 2 s, 4 s … capped at 30 s, for as long as it takes. */
export const redeliveryDelayMs = (deliveryCount: number): number => Math.min(30_000, 1_000 * 2 ** Math.max(0, Math.min(5, deliveryCount - 1)));

/** Runs `fn` with `ctx` active: what it publishes joins that context's trace. */
export const withContext = <T>(ctx: Context, fn: () => T): T => otelContext.with(ctx, fn);

export class NatsRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'no_responders' | 'timeout' | 'invalid_reply',
  ) {
    super(message);
  }
}

function tracedHeaders(): MsgHdrs {
  const h = natsHeaders();
  injectIntoHeaders({ get: (k) => h.get(k), set: (k, v) => h.set(k, v) });
  return h;
}

/**
 * The id-free shape of every catalogued subject with ids in it, e.g. ['fleet', 'agents', null,
 * 'commands'] for subjects.agentCommands: each function is called with a marker per parameter
 * and the marker's tokens become wildcards. `event` is left out: its parameter is an event
 * name (a fixed part of the subject), not an id.
 */
const ID_MARKER = '\u0000id';
const CATALOGUE: (string | null)[][] = Object.entries(subjects)
  .filter(([name]) => name !== 'event')
  .map(([, fn]) =>
    (fn as (...ids: string[]) => string)(...Array<string>(Math.max(fn.length, 1)).fill(ID_MARKER))
      .split('.')
      .map((t) => (t === ID_MARKER ? null : t)),
  );

/** Every event's subject, computed once: each publish and delivery asks for its template. */
const EVENT_SUBJECTS: ReadonlySet<string> = new Set(Object.keys(eventSchemas).map((name) => subjects.event(name as EventName)));

const hasWildcard = (subject: string) => subject.split('.').some((t) => t === '*' || t === '>');

/**
 * The low-cardinality destination template of a subject, for span names and
 * `messaging.destination.template`: its id tokens replaced by `*` per the subject catalogue
 * (`fleet.agents.web-1.commands` → `fleet.agents.*.commands`); a subject with wildcards is
 * already one. Undefined for a concrete subject the catalogue does not know (events are
 * their own template).
 */
export function subjectTemplate(subject: string): string | undefined {
  if (hasWildcard(subject)) return subject;
  const tokens = subject.split('.');
  for (const pattern of CATALOGUE) {
    if (pattern.length === tokens.length && pattern.every((p, i) => p === null || p === tokens[i])) {
      return pattern.map((p) => p ?? '*').join('.');
    }
  }
  return EVENT_SUBJECTS.has(subject) ? subject : undefined;
}

/** OTel messaging semconv attributes of one message, as producer or consumer. */
function messagingAttributes(op: 'send' | 'process', subject: string, template: string, group?: string): Attributes {
  return {
    'messaging.system': 'nats',
    'messaging.operation.type': op,
    'messaging.operation.name': op === 'send' ? 'publish' : 'process',
    'messaging.destination.name': subject,
    'messaging.destination.template': template,
    ...(group ? { 'messaging.consumer.group.name': group } : {}),
  };
}

/** Options every producer method takes; all optional, so callers without them still compile. */
export interface PublishOptions {
  /** The destination template for the span; default: `subjectTemplate(subject)`, else the subject. */
  template?: string;
}

const tracer = () => trace.getTracer('fleetplane.nats');

/**
 * Runs `send` inside a PRODUCER span `publish <template>`, with the span's context in the
 * headers it is given, so the consumer's `process` span becomes the producer span's child.
 */
function produce<T>(subject: string, opts: PublishOptions, send: (headers: MsgHdrs) => T): T {
  const template = opts.template ?? subjectTemplate(subject) ?? subject;
  return tracer().startActiveSpan(`publish ${template}`, { kind: SpanKind.PRODUCER, attributes: messagingAttributes('send', subject, template) }, (span) => {
    const fail = (err: unknown) => {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      span.end();
      throw err;
    };
    let result: T;
    try {
      result = send(tracedHeaders());
    } catch (err) {
      return fail(err);
    }
    if (result instanceof Promise) {
      return result.then((value: unknown) => {
        span.end();
        return value;
      }, fail) as T;
    }
    span.end();
    return result;
  });
}

/**
 * How long each pull request of a durable consumer lasts (the client's default is 30 s). The
 * server's idle heartbeats come every half of it, and two missed ones make the client pull
 * again: when the NATS server holding a consumer's pull dies, delivery resumes after ~2 × half
 * of this — ~5 s instead of ~30 s. (The chaos test once took 36.7 s from a NATS node's kill to
 * the first command completed with the default; with this, 11.8 s in one run, most of it the
 * streams electing new leaders.) The price is one pull request per consumer every 5 s when idle.
 */
const PULL_EXPIRES_MS = 5_000;

/** The CONSUMER span `process <template>` of one received message, continuing the sender's trace. */
function consume(subject: string, template: string, headers: MsgHdrs | undefined, group: string | undefined, fn: (span: Span) => Promise<void>): Promise<void> {
  return inSpan(
    `process ${template}`,
    { kind: SpanKind.CONSUMER, parent: contextFromHeaders(hdrBag(headers)), attributes: messagingAttributes('process', subject, template, group) },
    fn,
  );
}

const hdrBag = (h: MsgHdrs | undefined) => (h ? { get: (k: string) => h.get(k), set: (k: string, v: string) => h.set(k, v) } : undefined);

/**
 * The service's one NATS connection. Every message carries W3C trace context
 * in its headers, and every received payload is parsed by its schema before a
 * handler sees it.
 */
@Injectable()
export class NatsClient implements OnApplicationShutdown {
  private readonly log = new Logger(NatsClient.name);
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  /** Running receive loops and message handlings; each removes itself when it settles. */
  private readonly loops = new Set<Promise<void>>();

  /** Replicas of the streams `ensureStream` creates (JETSTREAM_REPLICAS). */
  private replicas = 1;

  /**
   * `url` is one server or a comma-separated list (a cluster's seeds). Reconnects forever, to
   * whichever server of the cluster answers: an outage delays, it never ends the service.
   */
  async connect(url: string, name: string, opts: { replicas?: number } = {}): Promise<void> {
    const servers = splitServers(url);
    this.replicas = opts.replicas ?? 1;
    // noAsyncTraces: nats.js otherwise builds an Error (a stack capture) for every request and
    // its timer, to have a call site should it fail: ~11 % of agent-hub's CPU under a fan-out,
    // whose JetStream publishes are requests. Our request errors are classified by kind and
    // traced by their spans, so the call site adds nothing.
    this.nc = await connect({ servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 500, noAsyncTraces: true });
    this.js = jetstream(this.nc);
    this.log.log(`connected to ${this.nc.getServer()} (of ${servers.join(', ')})`);
  }

  get connection(): NatsConnection {
    if (!this.nc) throw new Error('NATS is not connected');
    return this.nc;
  }

  /** For /ready: a round trip to the server. */
  async ping(): Promise<void> {
    if (!this.nc || this.nc.isClosed()) throw new Error('not connected');
    await this.nc.flush();
  }

  /** Core publish (at most once), in a PRODUCER span `publish <template>`. */
  publish(subject: string, payload: unknown, opts: PublishOptions = {}): void {
    const data = JSON.stringify(payload);
    produce(subject, opts, (headers) => this.connection.publish(subject, data, { headers }));
  }

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    const subject = subjects.event(name);
    // An event's subject has no ids: it is its own template.
    this.publish(subject, eventSchemas[name].parse(payload), { template: subject });
  }

  /**
   * Request/reply, in a PRODUCER span `publish <template>` that lasts until the reply (the
   * responder's `process` span is its child); distinguishes "nobody listens" from "nobody
   * answered in time".
   */
  async request<S extends z.ZodType>(subject: string, payload: unknown, replySchema: S, timeoutMs: number, opts: PublishOptions = {}): Promise<z.infer<S>> {
    let reply: Msg;
    const data = JSON.stringify(payload);
    try {
      reply = await produce(subject, opts, (headers) => this.connection.request(subject, data, { timeout: timeoutMs, headers }));
    } catch (err) {
      const e = err as Error & { isNoResponders?: () => boolean };
      if (typeof e.isNoResponders === 'function' && e.isNoResponders()) throw new NatsRequestError(`no responders on ${subject}`, 'no_responders');
      if (e.name === 'TimeoutError' || /timeout/i.test(e.message)) throw new NatsRequestError(`no reply on ${subject} within ${timeoutMs} ms`, 'timeout');
      throw err;
    }
    const parsed = replySchema.safeParse(reply.json());
    if (!parsed.success) throw new NatsRequestError(`invalid reply on ${subject}: ${parsed.error.message}`, 'invalid_reply');
    return parsed.data;
  }

  /**
   * Subscribes with a schema; the handler runs in a CONSUMER span that continues the sender's trace.
   * A handler's return value (if any) is sent as the reply.
   */
  subscribe<S extends z.ZodType>(subject: string, schema: S, handler: (payload: z.infer<S>, msg: Msg) => unknown, opts: { queue?: string } = {}): Subscription {
    // The subscription's subject names the span: a wildcard one is the template, a concrete one is templated.
    const template = subjectTemplate(subject) ?? subject;
    const handle = (msg: Msg): Promise<void> =>
      consume(msg.subject, template, msg.headers, opts.queue, async () => {
        let data: unknown;
        try {
          data = msg.json();
        } catch {
          this.log.warn(`dropping non-JSON message on ${msg.subject}`);
          return;
        }
        const parsed = schema.safeParse(data);
        if (!parsed.success) {
          this.log.warn(`dropping invalid message on ${msg.subject}: ${parsed.error.issues[0]?.message}`);
          return;
        }
        try {
          const result = await handler(parsed.data, msg);
          if (msg.reply && result !== undefined) msg.respond(JSON.stringify(result), { headers: tracedHeaders() });
        } catch (err) {
          this.log.error(`handler for ${msg.subject} failed: ${(err as Error).message}`);
        }
      }).catch(() => undefined);
    // A callback subscription with a promise chain, not an async iterator in a loop: messages are
    // still handled one at a time in arrival order, but an idle subscription holds one settled
    // promise instead of an iterator, a generator and a pending loop — agent-hub keeps one per
    // agent (bench/hub-heap.mjs). Each message's handling is tracked until it settles, for shutdown.
    let tail: Promise<void> = Promise.resolve();
    return this.connection.subscribe(subject, {
      ...(opts.queue ? { queue: opts.queue } : {}),
      callback: (err, msg) => {
        if (err) {
          this.log.warn(`subscription to ${subject}: ${err.message}`);
          return;
        }
        tail = tail.then(() => handle(msg));
        this.track(tail);
      },
    });
  }

  /**
   * Creates (or updates) a stream with JETSTREAM_REPLICAS replicas; idempotent, so every instance
   * may call it at start-up (an update also brings an existing stream to the configured replicas).
   */
  async ensureStream(def: { name: string; subjects: readonly string[] }, maxAgeSeconds = 7 * 24 * 3600): Promise<void> {
    const jsm = await jetstreamManager(this.connection);
    const cfg = { name: def.name, subjects: [...def.subjects], max_age: maxAgeSeconds * 1_000_000_000, num_replicas: this.replicas };
    try {
      await jsm.streams.info(def.name);
      await jsm.streams.update(def.name, cfg);
    } catch {
      await jsm.streams.add(cfg);
    }
  }

  /**
   * Publishes to JetStream and waits for the server's ack: the message is stored or this throws.
   * In a PRODUCER span `publish <template>` until the ack.
   */
  async publishDurable(subject: string, payload: unknown, opts: PublishOptions = {}): Promise<void> {
    const js = this.js;
    if (!js) throw new Error('NATS is not connected');
    const data = JSON.stringify(payload);
    await produce(subject, opts, (headers) => js.publish(subject, data, { headers }));
  }

  /**
   * Creates the durable pull consumer every instance shares, or updates it in place (so it keeps
   * its position in the stream): explicit acks, from the start of the stream, and
   * `max_deliver: -1` — JetStream never gives a message up, so an outage of whatever the consumer
   * writes to delays messages and never drops them. `ackWaitMs` is how long a delivered message
   * may stay unacked before JetStream redelivers it.
   */
  async ensureDurableConsumer(stream: string, durable: string, opts: { ackWaitMs: number; maxAckPending: number }): Promise<void> {
    const jsm = await jetstreamManager(this.connection);
    const tuning = { ack_wait: opts.ackWaitMs * 1_000_000, max_deliver: -1, max_ack_pending: opts.maxAckPending };
    const exists = await jsm.consumers.info(stream, durable).then(
      () => true,
      () => false,
    );
    if (exists) await jsm.consumers.update(stream, durable, tuning);
    else await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...tuning });
  }

  /**
   * Consumes a stream through a durable consumer shared by every instance, handing the handler
   * whole batches: what arrived while the previous batch was being handled (up to `maxBatch`),
   * so a busy consumer does one write per batch instead of one per message, and an idle one
   * still handles a lone message at once. Every message of a batch is acked after the handler
   * resolved, or naked with a growing delay when it threw; an unparseable one is terminated.
   * Nothing is ever given up (`max_deliver: -1`): an outage of the handler's database delays
   * messages, it never drops them. An existing consumer is updated in place (it keeps its place).
   *
   * Tracing: each message gets its CONSUMER span `process <template>`, a child of its
   * producer's span, lasting its batch; the handler runs in one INTERNAL span linked to them,
   * and `item.context` lets it publish per message in that message's trace.
   */
  async consumeDurableBatches<S extends z.ZodType>(
    stream: string,
    durable: string,
    schema: S,
    handler: (batch: BatchItem<z.infer<S>>[]) => Promise<void>,
    opts: DurableBatchOptions = {},
  ): Promise<void> {
    const maxBatch = opts.maxBatch ?? 500;
    const maxAckPending = opts.maxAckPending ?? 10_000;
    await this.ensureDurableConsumer(stream, durable, { ackWaitMs: 30_000, maxAckPending });
    const consumer = await this.js!.consumers.get(stream, durable);
    const messages = await consumer.consume({ max_messages: Math.min(maxAckPending, maxBatch * 2), expires: PULL_EXPIRES_MS });
    const streamSubjects = Object.values(streams).find((s) => s.name === stream)?.subjects;
    const fallback = streamSubjects?.length === 1 ? streamSubjects[0] : undefined;
    const templateOf = (subject: string) => subjectTemplate(subject) ?? fallback ?? subject;
    const collector = new BatchCollector<JsMsg>((batch) => this.handleBatch(batch, durable, schema, handler, templateOf), { maxSize: maxBatch, lingerMs: 0 });
    this.track(
      (async () => {
        for await (const m of messages) collector.push(m);
        await collector.drain();
      })(),
    );
  }

  private async handleBatch<T>(
    batch: JsMsg[],
    durable: string,
    schema: z.ZodType,
    handler: (batch: BatchItem<T>[]) => Promise<void>,
    templateOf: (subject: string) => string,
  ): Promise<void> {
    const items: Array<BatchItem<T> & { span: Span }> = [];
    for (const m of batch) {
      let data: unknown;
      try {
        data = m.json();
      } catch {
        data = undefined;
      }
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        this.log.warn(`terminating unparseable message ${m.seq} on ${m.subject}`);
        m.term();
        continue;
      }
      const template = templateOf(m.subject);
      const parent = contextFromHeaders(hdrBag(m.headers));
      const span = tracer().startSpan(
        `process ${template}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: { ...messagingAttributes('process', m.subject, template, durable), 'messaging.batch.message_count': batch.length },
        },
        parent,
      );
      items.push({ payload: parsed.data as T, msg: m, context: trace.setSpan(parent, span), span });
    }
    if (items.length === 0) return;
    const links = items.map((i) => ({ context: i.span.spanContext() }));
    try {
      await inSpan(
        `handle batch ${templateOf(batch[0]!.subject)}`,
        { kind: SpanKind.INTERNAL, links, attributes: { 'messaging.batch.message_count': items.length } },
        () => handler(items),
      );
      for (const i of items) {
        i.msg.ack();
        i.span.end();
      }
    } catch (err) {
      this.log.error(`batch of ${items.length} on ${batch[0]!.subject} failed, will be redelivered: ${(err as Error).message}`);
      for (const i of items) {
        i.msg.nak(redeliveryDelayMs(i.msg.info.deliveryCount));
        i.span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        i.span.end();
      }
    }
  }

  private track(loop: Promise<void>): void {
    this.loops.add(loop);
    void loop.finally(() => this.loops.delete(loop));
  }

  async onApplicationShutdown(): Promise<void> {
    // drain() lets in-flight handlers finish and flushes pending publishes before closing.
    await this.nc?.drain().catch(() => undefined);
    await Promise.allSettled(this.loops);
  }
}
