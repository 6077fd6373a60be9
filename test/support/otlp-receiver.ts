/**
 * An OTLP/HTTP trace receiver for tests: a real local HTTP server that decodes what it is sent with the
 * official opentelemetry-proto definitions (vendored unchanged in test/fixtures/otlp-proto, read by
 * protobufjs) for http/protobuf, and parses http/json, into one shape, so a test can check that both
 * protocols carry the same spans. It can also refuse (any status) or hang (never answer).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../../src/core/util/package-root.js';

export type AttributeValue = string | number | boolean | AttributeValue[] | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, AttributeValue>;
  events: { name: string; timeUnixNano: string; attributes: Record<string, AttributeValue> }[];
  status: { code: number; message: string };
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  contentType: string;
  resource: Record<string, AttributeValue>;
  spans: ReceivedSpan[];
}

export type ReceiverMode = { kind: 'ok' } | { kind: 'status'; status: number; echoAuthorization?: boolean } | { kind: 'hang' };

export interface OtlpReceiver {
  /** http://127.0.0.1:<port> (the base endpoint: /v1/traces is where traces go). */
  url: string;
  requests: ReceivedRequest[];
  /** Every span received, in order. */
  spans(): ReceivedSpan[];
  mode(mode: ReceiverMode): void;
  close(): Promise<void>;
}

const PROTO_DIR = join(packageRoot(), 'test/fixtures/otlp-proto');
let requestType: protobuf.Type | undefined;

/** ExportTraceServiceRequest from the official .proto files. */
export function exportTraceServiceRequest(): protobuf.Type {
  if (!requestType) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
    root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
    requestType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  }
  return requestType;
}

/** Decodes a protobuf body with the official definitions, into the receiver's shape. */
export function decodeProtobuf(body: Buffer): Pick<ReceivedRequest, 'resource' | 'spans'> {
  const type = exportTraceServiceRequest();
  const message = type.toObject(type.decode(body), { longs: String, enums: Number, bytes: Buffer, oneofs: true });
  return normalise(message as Document);
}

/** Parses an OTLP/JSON body into the receiver's shape. */
export function decodeJson(body: Buffer): Pick<ReceivedRequest, 'resource' | 'spans'> {
  return normalise(JSON.parse(body.toString('utf8')) as Document);
}

// Both encodings, loosely typed: protobufjs objects carry Buffers for ids, OTLP/JSON carries hex strings.
type Any = Record<string, unknown>;
type Document = { resourceSpans?: { resource?: { attributes?: Any[] }; scopeSpans?: { spans?: Any[] }[] }[] };

function normalise(document: Document): Pick<ReceivedRequest, 'resource' | 'spans'> {
  const id = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'string' ? v : '');
  const first = document.resourceSpans?.[0];
  const spans: ReceivedSpan[] = [];
  for (const rs of document.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const status = (s.status ?? {}) as Any;
        spans.push({
          traceId: id(s.traceId),
          spanId: id(s.spanId),
          parentSpanId: id(s.parentSpanId),
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
          endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
          attributes: attributes(s.attributes as Any[] | undefined),
          events: ((s.events ?? []) as Any[]).map((e) => ({
            name: String(e.name ?? ''),
            timeUnixNano: String(e.timeUnixNano ?? '0'),
            attributes: attributes(e.attributes as Any[] | undefined),
          })),
          status: { code: Number(status.code ?? 0), message: String(status.message ?? '') },
        });
      }
    }
  }
  return { resource: attributes(first?.resource?.attributes), spans };
}

function attributes(list: Any[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((kv) => [String(kv.key), anyValue(kv.value as Any | undefined)]));
}

function anyValue(v: Any | undefined): AttributeValue {
  if (!v) return null;
  // protobufjs (oneofs: true) names the member set in the `value` oneof field.
  if (typeof v.value === 'string') return anyValue({ [v.value]: v[v.value] });
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return (((v.arrayValue as Any).values ?? []) as Any[]).map((x) => anyValue(x));
  return null;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  let mode: ReceiverMode = { kind: 'ok' };
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = String(req.headers['content-type'] ?? '');
      const decoded = contentType.includes('json') ? decodeJson(body) : decodeProtobuf(body);
      requests.push({ path: req.url ?? '', headers: req.headers, contentType, ...decoded });
      if (mode.kind === 'hang') return;
      if (mode.kind === 'status') {
        // Some collectors quote what they refused: the credential comes back in the answer's body.
        const message = mode.echoAuthorization ? `invalid credentials: ${req.headers.authorization}` : 'collector overloaded';
        res.writeHead(mode.status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 14, message }));
        return;
      }
      // An empty ExportTraceServiceResponse: full success.
      res
        .writeHead(200, { 'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf' })
        .end(contentType.includes('json') ? '{}' : '');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () => requests.flatMap((r) => r.spans),
    mode: (next) => {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
