import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { connect, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { eventSchemas, subjects, type EventName, type EventPayload } from '@fleetplane/contracts';
import { contextFromHeaders, injectIntoHeaders, inSpan, SpanKind } from '@fleetplane/observability';
import type { z } from 'zod';

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
  /** Running receive loops; each removes itself when its subscription ends. */
  private readonly loops = new Set<Promise<void>>();

  async connect(url: string, name: string): Promise<void> {
    this.nc = await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    this.js = jetstream(this.nc);
    this.log.log(`connected to ${url}`);
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

  publish(subject: string, payload: unknown): void {
    this.connection.publish(subject, JSON.stringify(payload), { headers: tracedHeaders() });
  }

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    this.publish(subjects.event(name), eventSchemas[name].parse(payload));
  }

  /** Request/reply; distinguishes "nobody listens" from "nobody answered in time". */
  async request<S extends z.ZodType>(subject: string, payload: unknown, replySchema: S, timeoutMs: number): Promise<z.infer<S>> {
    let reply: Msg;
    try {
      reply = await this.connection.request(subject, JSON.stringify(payload), { timeout: timeoutMs, headers: tracedHeaders() });
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
  subscribe<S extends z.ZodType>(
    subject: string,
    schema: S,
    handler: (payload: z.infer<S>, msg: Msg) => Promise<unknown> | unknown,
    opts: { queue?: string } = {},
  ): Subscription {
    const sub = this.connection.subscribe(subject, opts.queue ? { queue: opts.queue } : {});
    this.track(
      (async () => {
        for await (const msg of sub) {
          const parent = contextFromHeaders(hdrBag(msg.headers));
          await inSpan(`${subject} process`, { kind: SpanKind.CONSUMER, parent, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': msg.subject } }, async () => {
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
        }
      })(),
    );
    return sub;
  }

  /** Creates (or updates) a stream; idempotent, so every instance may call it at start-up. */
  async ensureStream(def: { name: string; subjects: readonly string[] }, maxAgeSeconds = 7 * 24 * 3600): Promise<void> {
    const jsm = await jetstreamManager(this.connection);
    const cfg = { name: def.name, subjects: [...def.subjects], max_age: maxAgeSeconds * 1_000_000_000 };
    try {
      await jsm.streams.info(def.name);
      await jsm.streams.update(def.name, cfg);
    } catch {
      await jsm.streams.add(cfg);
    }
  }

  /** Publishes to JetStream and waits for the server's ack: the message is stored or this throws. */
  async publishDurable(subject: string, payload: unknown): Promise<void> {
    if (!this.js) throw new Error('NATS is not connected');
    await this.js.publish(subject, JSON.stringify(payload), { headers: tracedHeaders() });
  }

  /**
   * Consumes a stream through a durable consumer shared by every instance of the
   * service. A message is acked only after the handler succeeded; a failure naks
   * it for redelivery, an unparseable one is terminated (it would never succeed).
   */
  async consumeDurable<S extends z.ZodType>(
    stream: string,
    durable: string,
    schema: S,
    handler: (payload: z.infer<S>, msg: JsMsg) => Promise<void>,
  ): Promise<void> {
    const jsm = await jetstreamManager(this.connection);
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 30_000_000_000,
      max_deliver: 20,
    });
    const consumer = await this.js!.consumers.get(stream, durable);
    const messages = await consumer.consume();
    this.track(
      (async () => {
        for await (const m of messages) {
          const parent = contextFromHeaders(hdrBag(m.headers));
          await inSpan(`${m.subject} process`, { kind: SpanKind.CONSUMER, parent, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': m.subject, 'messaging.consumer.group.name': durable } }, async () => {
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
              return;
            }
            try {
              await handler(parsed.data as z.infer<S>, m);
              m.ack();
            } catch (err) {
              this.log.error(`handler for ${m.subject} failed, will be redelivered: ${(err as Error).message}`);
              m.nak(1_000);
            }
          }).catch(() => undefined);
        }
      })(),
    );
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

