import { nanosToMs, textOf } from './otlp-json.js';
import type { ReceivedSpan } from './otlp-receiver.js';

/*
 * A minimal protobuf wire-format reader for the few OTLP trace messages we
 * need (opentelemetry/proto/collector/trace/v1). @opentelemetry/otlp-transformer
 * only encodes, and a full protobuf runtime plus .proto files would be far
 * more code than these field numbers.
 */

interface Field {
  num: number;
  /** varint / fixed64 / fixed32 as bigint; length-delimited as bytes. */
  value: bigint | Buffer;
}

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('protobuf: truncated varint');
    const byte = buf[pos++] as number;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    pos = afterTag;
    const num = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, next] = readVarint(buf, pos);
      out.push({ num, value: v });
      pos = next;
    } else if (wire === 1) {
      out.push({ num, value: buf.readBigUInt64LE(pos) });
      pos += 8;
    } else if (wire === 2) {
      const [len, next] = readVarint(buf, pos);
      const end = next + Number(len);
      if (end > buf.length) throw new Error('protobuf: truncated length-delimited field');
      out.push({ num, value: buf.subarray(next, end) });
      pos = end;
    } else if (wire === 5) {
      out.push({ num, value: BigInt(buf.readUInt32LE(pos)) });
      pos += 4;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
  }
  return out;
}

const bytesOf = (f: Field): Buffer => (Buffer.isBuffer(f.value) ? f.value : Buffer.alloc(0));
const bigOf = (f: Field): bigint => (typeof f.value === 'bigint' ? f.value : 0n);

// AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue, 6 KeyValueList, 7 bytes
function anyValue(buf: Buffer): unknown {
  let value: unknown;
  for (const f of fields(buf)) {
    if (f.num === 1) value = bytesOf(f).toString('utf8');
    else if (f.num === 2) value = bigOf(f) !== 0n;
    else if (f.num === 3) {
      const n = BigInt.asIntN(64, bigOf(f));
      value = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
    } else if (f.num === 4) {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(bigOf(f));
      value = b.readDoubleLE(0);
    } else if (f.num === 5)
      value = fields(bytesOf(f))
        .filter((v) => v.num === 1)
        .map((v) => anyValue(bytesOf(v)));
    else if (f.num === 6)
      value = keyValues(
        fields(bytesOf(f))
          .filter((v) => v.num === 1)
          .map(bytesOf),
      );
    else if (f.num === 7) value = bytesOf(f).toString('base64');
  }
  return value;
}

// KeyValue: 1 key, 2 value
function keyValues(kvs: Buffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs) {
    let key = '';
    let value: unknown;
    for (const f of fields(kv)) {
      if (f.num === 1) key = bytesOf(f).toString('utf8');
      else if (f.num === 2) value = anyValue(bytesOf(f));
    }
    out[key] = value;
  }
  return out;
}

// Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 7 start_time_unix_nano, 8 end_time_unix_nano, 9 attributes
function span(buf: Buffer, serviceName: string): ReceivedSpan {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let start = 0n;
  let end = 0n;
  const attrs: Buffer[] = [];
  for (const f of fields(buf)) {
    if (f.num === 1) traceId = bytesOf(f).toString('hex');
    else if (f.num === 2) spanId = bytesOf(f).toString('hex');
    else if (f.num === 4) parentSpanId = bytesOf(f).toString('hex');
    else if (f.num === 5) name = bytesOf(f).toString('utf8');
    else if (f.num === 7) start = bigOf(f);
    else if (f.num === 8) end = bigOf(f);
    else if (f.num === 9) attrs.push(bytesOf(f));
  }
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    serviceName,
    attributes: keyValues(attrs),
    startMs: nanosToMs(start),
    endMs: nanosToMs(end),
  };
}

/** Decodes an ExportTraceServiceRequest (1: ResourceSpans; 1: Resource{1: attributes}, 2: ScopeSpans{2: spans}). */
export function spansFromProtobuf(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of fields(body).filter((f) => f.num === 1)) {
    const parts = fields(bytesOf(rs));
    const resourceAttrs = parts
      .filter((f) => f.num === 1)
      .flatMap((r) =>
        fields(bytesOf(r))
          .filter((f) => f.num === 1)
          .map(bytesOf),
      );
    const serviceName = textOf(keyValues(resourceAttrs)['service.name']);
    for (const ss of parts.filter((f) => f.num === 2)) {
      for (const s of fields(bytesOf(ss)).filter((f) => f.num === 2)) spans.push(span(bytesOf(s), serviceName));
    }
  }
  return spans;
}
