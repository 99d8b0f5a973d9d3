import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { startOtlpReceiver } from './index.js';

describe('startOtlpReceiver', () => {
  it('receives spans from the OTLP/HTTP JSON exporter', async () => {
    const receiver = await startOtlpReceiver();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'harness-spec' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }) })],
    });
    try {
      const tracer = provider.getTracer('spec');
      const parent = tracer.startSpan('parent-op', { startTime: 1_700_000_000_123 });
      parent.setAttribute('fleet.id', 'f-1');
      const traceId = parent.spanContext().traceId;
      parent.end(1_700_000_000_456);
      await provider.forceFlush();

      const spans = await receiver.waitFor((s) => s.some((x) => x.name === 'parent-op'));
      const got = spans.find((s) => s.name === 'parent-op');
      expect(got).toMatchObject({
        traceId,
        spanId: parent.spanContext().spanId,
        serviceName: 'harness-spec',
        attributes: { 'fleet.id': 'f-1' },
        startMs: 1_700_000_000_123,
        endMs: 1_700_000_000_456,
      });
      expect(got?.parentSpanId).toBeUndefined();
    } finally {
      await provider.shutdown();
      await receiver.stop();
    }
  });

  it('receives spans from the OTLP/HTTP protobuf exporter, with parent ids and typed attributes', async () => {
    const receiver = await startOtlpReceiver();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'harness-proto' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPProtoTraceExporter({ url: `${receiver.url}/v1/traces` }) })],
    });
    try {
      const tracer = provider.getTracer('spec');
      const parent = tracer.startSpan('parent-op');
      const child = tracer.startSpan('child-op', { startTime: 1_700_000_001_000 }, trace.setSpan(context.active(), parent));
      child.setAttributes({ 'agent.count': 42, ratio: 0.5, ok: true, tags: ['a', 'b'] });
      child.end(1_700_000_001_250);
      parent.end();
      await provider.forceFlush();

      const spans = await receiver.waitFor((s) => s.length >= 2);
      const got = spans.find((s) => s.name === 'child-op');
      expect(got).toEqual({
        traceId: parent.spanContext().traceId,
        spanId: child.spanContext().spanId,
        parentSpanId: parent.spanContext().spanId,
        name: 'child-op',
        serviceName: 'harness-proto',
        attributes: { 'agent.count': 42, ratio: 0.5, ok: true, tags: ['a', 'b'] },
        startMs: 1_700_000_001_000,
        endMs: 1_700_000_001_250,
      });
    } finally {
      await provider.shutdown();
      await receiver.stop();
    }
  });
});
