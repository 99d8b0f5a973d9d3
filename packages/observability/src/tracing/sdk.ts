import { context, diag, propagation, trace, type TextMapPropagator } from '@opentelemetry/api';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import { appDependencies, INSTRUMENTATIONS, selectInstrumentations, type InstrumentationName } from './instrumentations.js';

export interface TracingOptions {
  /** Default: `selectInstrumentations` (OTEL_NODE_ENABLED_INSTRUMENTATIONS, else the service's package.json). */
  instrumentations?: readonly InstrumentationName[];
  /** Default: from OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_*; tests pass an in-memory exporter's. */
  spanProcessors?: SpanProcessor[];
  /**
   * Register import-in-the-middle's ESM hooks for the instrumented modules (default true).
   * The --import entry needs them; an in-process test whose libraries are CommonJS does not.
   */
  esmHooks?: boolean;
}

let started: Promise<{ shutdown(): Promise<void> }> | undefined;

/**
 * Starts tracing: a tracer provider, AsyncLocalStorage context, W3C propagation and the
 * instrumentations this service uses. Spans are always created (trace ids reach the logs
 * and cross every hop); they are exported over OTLP/HTTP only when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set.
 *
 * Not @opentelemetry/sdk-node: its entry point loads every exporter it could configure
 * (OTLP over gRPC, so all of @grpc/grpc-js; protobuf; Zipkin), the metrics and logs SDKs
 * and its YAML configuration parser, ~30 MiB per process that nothing here uses. Everything
 * is imported on demand instead: the exporter only with an endpoint, an instrumentation only
 * when enabled. Reads the standard OTEL_* variables listed in the package README.
 */
export function startTracing(opts: TracingOptions = {}): Promise<void> {
  if (process.env.OTEL_SDK_DISABLED === 'true') return Promise.resolve();
  started ??= start(opts);
  return started.then(() => undefined);
}

/** Flushes and stops tracing; called last during graceful shutdown so no span is lost. */
export async function shutdownTracing(): Promise<void> {
  const running = started;
  started = undefined;
  await (await running?.catch(() => undefined))?.shutdown().catch(() => undefined);
}

async function start(opts: TracingOptions): Promise<{ shutdown(): Promise<void> }> {
  const names = opts.instrumentations ?? selectInstrumentations(process.env, appDependencies(process.argv[1]));
  if (opts.esmHooks !== false) {
    // Synchronous in-thread ESM hooks (Node >= 24.11.1: import-in-the-middle 3.6 throws before it), for the instrumented modules only.
    const { register } = await import('import-in-the-middle/register-hooks.mjs');
    register({ include: names.flatMap((n) => INSTRUMENTATIONS[n].modules) });
  }
  const [{ TracerProvider }, { AsyncLocalStorageContextManager }, resource, spanProcessors, sampler, propagator] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    resourceFromEnv(),
    opts.spanProcessors ?? spanProcessorsFromEnv(),
    samplerFromEnv(),
    propagatorFromEnv(),
  ]);
  // No span processor (no exporter) still records spans: they get real ids for logs and propagation.
  const provider = new TracerProvider({ resource, spanProcessors, ...(sampler ? { sampler } : {}) });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (propagator) propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(provider);
  // Constructing an instrumentation enables it: it patches its module when that is loaded.
  const instrumentations = await Promise.all(names.map((n) => INSTRUMENTATIONS[n].create()));
  return {
    async shutdown() {
      for (const i of instrumentations) i.disable();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

const env = (key: string) => process.env[key]?.trim() || undefined;
const envList = (key: string) =>
  env(key)
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
function envNumber(key: string): number | undefined {
  const raw = env(key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (Number.isFinite(n) && n >= 0) return n;
  diag.warn(`${key}=${raw} is not a non-negative number; ignored`);
  return undefined;
}

async function resourceFromEnv() {
  const r = await import('@opentelemetry/resources');
  // Host, process and instance id as the Node SDK's default detectors give them, then
  // OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME.
  const detected = r.detectResources({ detectors: [r.hostDetector, r.processDetector, r.serviceInstanceIdDetector] });
  const fromEnv = r.detectResources({ detectors: [r.resourceAttributesEnvDetector] });
  return r
    .defaultResource()
    .merge(detected)
    .merge(fromEnv)
    .merge(
      r.resourceFromAttributes({
        'service.name': env('OTEL_SERVICE_NAME') ?? fromEnv.attributes['service.name'] ?? 'fleetplane',
        'service.version': fromEnv.attributes['service.version'] ?? process.env.npm_package_version ?? '0.1.0',
      }),
    );
}

/** OTEL_TRACES_EXPORTER: otlp (the default; OTLP/HTTP JSON, only with an endpoint), console, none. */
async function spanProcessorsFromEnv(): Promise<SpanProcessor[]> {
  const exporters = new Set(envList('OTEL_TRACES_EXPORTER') ?? ['otlp']);
  if (exporters.has('none')) return [];
  const processors: SpanProcessor[] = [];
  for (const name of exporters) {
    if (name === 'otlp') {
      if (!env('OTEL_EXPORTER_OTLP_ENDPOINT') && !env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')) continue;
      const [{ BatchSpanProcessor }, { OTLPTraceExporter }] = await Promise.all([
        import('@opentelemetry/sdk-trace'),
        import('@opentelemetry/exporter-trace-otlp-http'),
      ]);
      processors.push(
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter(),
          maxQueueSize: envNumber('OTEL_BSP_MAX_QUEUE_SIZE'),
          maxExportBatchSize: envNumber('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
          scheduledDelayMillis: envNumber('OTEL_BSP_SCHEDULE_DELAY'),
          exportTimeoutMillis: envNumber('OTEL_BSP_EXPORT_TIMEOUT'),
        }),
      );
    } else if (name === 'console') {
      const { SimpleSpanProcessor, ConsoleSpanExporter } = await import('@opentelemetry/sdk-trace');
      processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
    } else diag.warn(`OTEL_TRACES_EXPORTER: unsupported exporter "${name}" (otlp, console, none)`);
  }
  return processors;
}

/** OTEL_TRACES_SAMPLER (+ OTEL_TRACES_SAMPLER_ARG); default parentbased_always_on. */
async function samplerFromEnv(): Promise<Sampler | undefined> {
  const name = env('OTEL_TRACES_SAMPLER');
  if (!name) return undefined;
  const s = await import('@opentelemetry/sdk-trace');
  const ratio = () => {
    const r = envNumber('OTEL_TRACES_SAMPLER_ARG') ?? 1;
    return r <= 1 ? r : 1;
  };
  switch (name) {
    case 'always_on':
      return new s.AlwaysOnSampler();
    case 'always_off':
      return new s.AlwaysOffSampler();
    case 'traceidratio':
      return new s.TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new s.ParentBasedSampler({ root: new s.AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new s.ParentBasedSampler({ root: new s.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new s.ParentBasedSampler({ root: new s.TraceIdRatioBasedSampler(ratio()) });
    default:
      diag.warn(`OTEL_TRACES_SAMPLER: unknown sampler "${name}", using parentbased_always_on`);
      return undefined;
  }
}

/** OTEL_PROPAGATORS: tracecontext and baggage (the default), or none. */
async function propagatorFromEnv(): Promise<TextMapPropagator | undefined> {
  const names = new Set(envList('OTEL_PROPAGATORS') ?? ['tracecontext', 'baggage']);
  if (names.has('none')) return undefined;
  const core = await import('@opentelemetry/core');
  const propagators: TextMapPropagator[] = [];
  for (const name of names) {
    if (name === 'tracecontext') propagators.push(new core.W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new core.W3CBaggagePropagator());
    else diag.warn(`OTEL_PROPAGATORS: unsupported propagator "${name}" (tracecontext, baggage, none)`);
  }
  return propagators.length ? new core.CompositePropagator({ propagators }) : undefined;
}
