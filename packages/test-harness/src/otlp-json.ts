import type { ReceivedSpan } from './otlp-receiver.js';

// Shapes of the OTLP/JSON encoding (opentelemetry-proto, JSON mapping) that we read.
interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: JsonAnyValue[] };
  kvlistValue?: { values?: JsonKeyValue[] };
}
interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}
interface JsonSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  attributes?: JsonKeyValue[];
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
}
interface JsonTracesRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: Array<{ spans?: JsonSpan[] }>;
  }>;
}

/**
 * OTLP/JSON says ids are hex, but protobuf's generic JSON mapping (used by
 * some SDKs) writes bytes as base64; accept both and always report hex.
 */
export function idToHex(id: string | undefined, bytes: number): string | undefined {
  if (!id) return undefined;
  if (id.length === bytes * 2 && /^[0-9a-f]+$/i.test(id)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

function anyValue(v: JsonAnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    // int64 may arrive as a string; keep exactness where a number cannot.
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue) return keyValues(v.kvlistValue.values);
  return undefined;
}

export function keyValues(kvs: JsonKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

/** Nanoseconds since the epoch (a decimal string or number, or a bigint) as milliseconds. */
export const nanosToMs = (ns: string | number | bigint | undefined): number => (ns === undefined ? 0 : Number(BigInt(ns) / 1000n) / 1000);

/** service.name is a string attribute (semantic conventions); a missing or non-string one reads as ''. */
export const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');

export function spansFromJson(body: string): ReceivedSpan[] {
  const request = JSON.parse(body) as JsonTracesRequest;
  const spans: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const serviceName = textOf(keyValues(rs.resource?.attributes)['service.name']);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const parentSpanId = idToHex(s.parentSpanId, 8);
        spans.push({
          traceId: idToHex(s.traceId, 16) ?? '',
          spanId: idToHex(s.spanId, 8) ?? '',
          ...(parentSpanId ? { parentSpanId } : {}),
          name: s.name ?? '',
          serviceName,
          attributes: keyValues(s.attributes),
          startMs: nanosToMs(s.startTimeUnixNano),
          endMs: nanosToMs(s.endTimeUnixNano),
        });
      }
    }
  }
  return spans;
}
