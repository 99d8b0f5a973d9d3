import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/** W3C trace context as it travels in frames and job data where no library propagates it. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** The active span's context as a carrier, for WebSocket frames and BullMQ job data. */
export function currentTraceCarrier(ctx: Context = context.active()): TraceCarrier | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent };
}

export function contextFromCarrier(carrier: TraceCarrier | undefined): Context {
  if (!carrier) return context.active();
  return propagation.extract(context.active(), carrier);
}

/** Anything with header get/set, such as NATS message headers. */
export interface HeaderBag {
  get(key: string): string;
  set(key: string, value: string): void;
}

const bagSetter: TextMapSetter<HeaderBag> = { set: (bag, key, value) => bag.set(key, value) };
const bagGetter: TextMapGetter<HeaderBag> = {
  get: (bag, key) => bag.get(key) || undefined,
  keys: () => ['traceparent', 'tracestate'],
};

export function injectIntoHeaders(headers: HeaderBag, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, bagSetter);
}

export function contextFromHeaders(headers: HeaderBag | undefined): Context {
  return headers ? propagation.extract(context.active(), headers, bagGetter) : context.active();
}

const tracer = () => trace.getTracer('fleetplane');

/**
 * Runs `fn` in a new span (child of `parent`, default the active context),
 * recording exceptions and ending the span however `fn` finishes.
 */
export async function inSpan<T>(
  name: string,
  opts: { kind?: SpanKind; attributes?: Attributes; parent?: Context; links?: Link[] },
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes ?? {}, ...(opts.links ? { links: opts.links } : {}) },
    opts.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

export { SpanKind };
