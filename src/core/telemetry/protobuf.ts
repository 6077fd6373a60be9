/**
 * OTLP/protobuf for traces, hand-written: the ExportTraceServiceRequest of opentelemetry-proto
 * (collector/trace/v1, trace/v1, common/v1, resource/v1) encoded from the same objects the OTLP/JSON
 * export builds, so both protocols carry the same spans. A few dozen lines instead of a protobuf runtime
 * keeps start-up and the dependency list light; the test receiver decodes it with the official .proto files.
 */
import type { OtlpAnyValue, OtlpAttribute, OtlpDocument, OtlpSpan } from './spans.js';

/** Protobuf wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;

class Writer {
  private readonly parts: Buffer[] = [];
  private size = 0;

  private push(part: Buffer): void {
    this.parts.push(part);
    this.size += part.length;
  }

  private tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  varint(value: bigint): void {
    // int64 negatives take ten bytes, as two's complement (protobuf's rule for int64).
    let v = value < 0n ? (1n << 64n) + value : value;
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v > 0n);
    this.push(Buffer.from(bytes));
  }

  uint(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, VARINT);
    this.varint(BigInt(value));
  }

  int64(field: number, value: bigint): void {
    this.tag(field, VARINT);
    this.varint(value);
  }

  bool(field: number, value: boolean): void {
    this.tag(field, VARINT);
    this.varint(value ? 1n : 0n);
  }

  fixed64(field: number, value: bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(value);
    this.tag(field, I64);
    this.push(b);
  }

  double(field: number, value: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.tag(field, I64);
    this.push(b);
  }

  bytes(field: number, value: Buffer): void {
    this.tag(field, LEN);
    this.varint(BigInt(value.length));
    this.push(value);
  }

  string(field: number, value: string | undefined): void {
    if (value === undefined || value === '') return;
    this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, build: (w: Writer) => void): void {
    const inner = new Writer();
    build(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

function anyValue(w: Writer, value: OtlpAnyValue): void {
  if ('stringValue' in value) w.bytes(1, Buffer.from(value.stringValue, 'utf8'));
  else if ('boolValue' in value) w.bool(2, value.boolValue);
  else if ('intValue' in value) w.int64(3, BigInt(value.intValue));
  else if ('doubleValue' in value) w.double(4, value.doubleValue);
  else
    w.message(5, (array) => {
      for (const v of value.arrayValue.values) array.message(1, (a) => anyValue(a, v));
    });
}

function keyValues(w: Writer, field: number, attributes: readonly OtlpAttribute[]): void {
  for (const a of attributes) {
    w.message(field, (kv) => {
      kv.string(1, a.key);
      kv.message(2, (v) => anyValue(v, a.value));
    });
  }
}

function span(w: Writer, s: OtlpSpan): void {
  w.bytes(1, Buffer.from(s.traceId, 'hex'));
  w.bytes(2, Buffer.from(s.spanId, 'hex'));
  if (s.parentSpanId) w.bytes(4, Buffer.from(s.parentSpanId, 'hex'));
  w.string(5, s.name);
  w.uint(6, s.kind);
  w.fixed64(7, BigInt(s.startTimeUnixNano));
  w.fixed64(8, BigInt(s.endTimeUnixNano));
  keyValues(w, 9, s.attributes);
  for (const e of s.events) {
    w.message(11, (ev) => {
      ev.fixed64(1, BigInt(e.timeUnixNano));
      ev.string(2, e.name);
      keyValues(ev, 3, e.attributes);
    });
  }
  w.message(15, (status) => {
    status.string(2, s.status.message);
    status.uint(3, s.status.code);
  });
}

/** The ExportTraceServiceRequest of `document`, as protobuf bytes. */
export function encodeTraceRequest(document: OtlpDocument): Buffer {
  const w = new Writer();
  for (const rs of document.resourceSpans) {
    w.message(1, (r) => {
      r.message(1, (res) => keyValues(res, 1, rs.resource.attributes));
      for (const ss of rs.scopeSpans) {
        r.message(2, (s) => {
          s.message(1, (scope) => {
            scope.string(1, ss.scope.name);
            scope.string(2, ss.scope.version);
          });
          for (const sp of ss.spans) s.message(2, (m) => span(m, sp));
        });
      }
    });
  }
  return w.finish();
}
