import { join } from 'node:path';
import * as semconv from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { decodeJson, decodeProtobuf } from '../../../test/support/otlp-receiver.js';
import { seedRuns } from '../../../test/support/seed-runs.js';
import { tempDir } from '../../../test/support/workspace.js';
import { exportOtlp } from '../events/export.js';
import { Registry } from '../registry/registry.js';
import { encodeTraceRequest } from './protobuf.js';
import { attr, type OtlpDocument, otlpDocument, providerName } from './spans.js';

function seeded(count: number): Registry {
  const root = tempDir();
  seedRuns(root, count);
  return Registry.open({ registryPath: join(root, '.agentctl/registry.db'), blobsDir: join(root, '.agentctl/blobs') });
}

function exported(options: { captureContent?: boolean } = {}): OtlpDocument {
  const registry = seeded(8);
  try {
    return exportOtlp(registry.runs, {}, options);
  } finally {
    registry.close();
  }
}

/** Every attribute name the conventions define (stable and incubating), from their ATTR_* constants. */
const KNOWN = new Set(
  [...Object.entries(semconv), ...Object.entries(incubating)]
    .filter(([name, v]) => name.startsWith('ATTR_') && typeof v === 'string')
    .map(([, v]) => v as string),
);

describe('OTLP/protobuf encoder', () => {
  it('decodes with the official opentelemetry-proto definitions into the same spans as the OTLP/JSON', () => {
    const document = exported({ captureContent: true });
    const fromJson = decodeJson(Buffer.from(JSON.stringify(document)));
    const fromProtobuf = decodeProtobuf(encodeTraceRequest(document));
    expect(fromJson.spans.length).toBeGreaterThan(20);
    expect(fromProtobuf).toEqual(fromJson);
    // Ids as bytes of the right length (a hex string sent as text would decode to other bytes).
    expect(fromProtobuf.spans.every((s) => s.traceId.length === 32 && s.spanId.length === 16)).toBe(true);
    expect(fromProtobuf.spans.filter((s) => s.parentSpanId !== '').length).toBeGreaterThan(0);
  });

  it('encodes every kind of value: negative and large ints, doubles, booleans, arrays, empty strings', () => {
    const span = {
      traceId: '0123456789abcdef0123456789abcdef',
      spanId: '0123456789abcdef',
      name: 'x',
      kind: 3,
      startTimeUnixNano: '1763000000000000000',
      endTimeUnixNano: '1763000000123456789',
      attributes: [
        attr('a.neg', -42),
        attr('a.big', 2 ** 53 - 1),
        attr('a.double', 0.25),
        attr('a.whole_double', 1, 'double'),
        attr('a.bool', false),
        attr('a.empty', ''),
        { key: 'a.list', value: { arrayValue: { values: [{ stringValue: 'stop' }, { stringValue: 'length' }] } } },
      ],
      events: [{ name: 'e', timeUnixNano: '1763000000000000001', attributes: [] }],
      status: { code: 2, message: 'boom' },
    };
    const document = otlpDocument([span]);
    const decoded = decodeProtobuf(encodeTraceRequest(document));
    expect(decoded.spans[0]?.attributes).toEqual({
      'a.neg': -42,
      'a.big': 2 ** 53 - 1,
      'a.double': 0.25,
      'a.whole_double': 1,
      'a.bool': false,
      'a.empty': '',
      'a.list': ['stop', 'length'],
    });
    expect(decoded.spans[0]?.endTimeUnixNano).toBe('1763000000123456789');
    expect(decoded.spans[0]?.status).toEqual({ code: 2, message: 'boom' });
    expect(decoded).toEqual(decodeJson(Buffer.from(JSON.stringify(document))));
  });
});

describe('OTLP span mapping', () => {
  it('names only attributes the OpenTelemetry semantic conventions define, or agentctl.* ones', () => {
    const document = exported({ captureContent: true });
    const names = new Set<string>();
    for (const a of document.resourceSpans[0]?.resource.attributes ?? []) names.add(a.key);
    for (const s of document.resourceSpans[0]?.scopeSpans[0]?.spans ?? []) {
      for (const a of s.attributes) names.add(a.key);
      for (const e of s.events) for (const a of e.attributes) names.add(a.key);
    }
    expect(names.size).toBeGreaterThan(15);
    const unknown = [...names].filter((n) => !KNOWN.has(n) && !n.startsWith('agentctl.'));
    expect(unknown).toEqual([]);
    // And the agentctl.* ones are not shadowing a convention under another name.
    expect([...names].filter((n) => n.startsWith('agentctl.') && KNOWN.has(n))).toEqual([]);
  });

  it('keeps contents (tool arguments, event payloads) out unless capture is on', () => {
    const off = JSON.stringify(exported());
    expect(off).not.toContain('gen_ai.tool.call.arguments');
    expect(off).not.toContain('agentctl.payload');
    const on = JSON.stringify(exported({ captureContent: true }));
    expect(on).toContain('gen_ai.tool.call.arguments');
    expect(on).toContain('agentctl.payload');
  });

  it('puts error.type on failed spans, the resource telemetry.sdk.*, and the agent digest as gen_ai.agent.id', () => {
    const document = exported();
    const resource = Object.fromEntries((document.resourceSpans[0]?.resource.attributes ?? []).map((a) => [a.key, a.value]));
    expect(resource['telemetry.sdk.language']).toEqual({ stringValue: 'nodejs' });
    expect(resource['telemetry.sdk.name']).toEqual({ stringValue: 'agentctl' });
    expect(resource['telemetry.sdk.version']).toBeDefined();
    const spans = document.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    const failed = spans.filter((s) => s.status.code === 2);
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) expect(s.attributes.some((a) => a.key === 'error.type')).toBe(true);
    for (const s of spans.filter((x) => x.status.code !== 2)) expect(s.attributes.some((a) => a.key === 'error.type')).toBe(false);
    const agent = spans.find((s) => s.name.startsWith('invoke_agent'));
    expect(agent?.attributes).toContainEqual({ key: 'gen_ai.agent.id', value: { stringValue: `sha256:${'cd'.repeat(32)}` } });
  });

  it('names the provider of the recorded model behind a cassette, not "cassette"', () => {
    expect(providerName('cassette', 'gpt-4o-mini')).toBe('openai');
    expect(providerName('cassette', 'claude-3-5-sonnet')).toBe('anthropic');
    expect(providerName('openai', 'claude-3-5-sonnet')).toBe('openai');
    const chat = exported().resourceSpans[0]?.scopeSpans[0]?.spans.find((s) => s.name.startsWith('chat '));
    expect(chat?.attributes).toContainEqual({ key: 'gen_ai.provider.name', value: { stringValue: 'openai' } });
  });
});
