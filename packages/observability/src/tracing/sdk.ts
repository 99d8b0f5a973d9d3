import { register as registerImportHooks } from 'import-in-the-middle/register-hooks.mjs';
import type { IncomingMessage } from 'node:http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

/** Probe and scrape endpoints would drown real traffic in traces. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK. Spans are always created (trace ids reach the
 * logs and cross every hop); they are exported over OTLP/HTTP only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set. Reads the standard OTEL_* variables.
 */
export function startTracing(): void {
  if (sdk || process.env.OTEL_SDK_DISABLED === 'true') return;
  // Synchronous in-thread ESM hooks (Node >= 24.11): only the modules we instrument are intercepted.
  // Metrics are scraped from /metrics and logs go to stdout: without these the SDK
  // would also push OTLP metrics and logs, and wait for a collector at shutdown.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  registerImportHooks({ include: ['@grpc/grpc-js', 'pg', 'ioredis', 'http', 'https', 'node:http', 'node:https'] });

  // Without an exporter a no-op processor still makes the SDK install its tracer
  // provider, so spans get real ids for logs and propagation.
  const spanProcessors: SpanProcessor[] = [
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? new BatchSpanProcessor(new OTLPTraceExporter()) : new NoopSpanProcessor(),
  ];
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? 'fleetplane',
      [ATTR_SERVICE_VERSION]: process.env.npm_package_version ?? '0.1.0',
    }),
    spanProcessors,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
      }),
      new GrpcInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}

/** Flushes and stops the SDK; called last during graceful shutdown so no span is lost. */
export async function shutdownTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => undefined);
}
