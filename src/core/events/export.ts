/**
 * Exports of the event log: JSONL (one event a line, with its run) and OTLP/JSON traces following the
 * OpenTelemetry GenAI semantic conventions (invoke_agent / chat / execute_tool spans, gen_ai.* attributes).
 * Both stream: the log is read run by run (two queries for the whole export) and the text comes out in
 * chunks, so 200,000 runs take as little memory as 20.
 */
import { payloadOf, type StoredEvent } from './decode.js';
import { buildTrace, type SpanNode } from './queries.js';
import type { RunFilter, RunRow, RunStore } from './run-store.js';

export type ExportFormat = 'jsonl' | 'otlp';

/** One JSONL line (without its newline) for each event, oldest run first. */
export function* exportJsonl(runs: RunStore, filter: RunFilter): Generator<string> {
  for (const { run, events } of runs.eachWithEvents(filter)) for (const event of events) yield jsonlLine(run, event);
}

function jsonlLine(run: RunRow, event: StoredEvent): string {
  const line: Record<string, unknown> = {
    eventId: `${run.runId}.${event.seq}`,
    runId: run.runId,
    sessionId: run.sessionId,
    agent: run.agent,
    version: run.version,
    seq: event.seq,
    type: event.type,
    time: new Date(event.at).toISOString(),
  };
  // What `...payloadOf(event)` gives (the same keys, order and overrides) without copying the event twice:
  // the export's hot path. A payload key "__proto__" stays a plain key, as a spread would keep it.
  const fields = event as unknown as Record<string, unknown>;
  for (const key in fields) {
    if (key === 'seq' || key === 'runId' || key === 'type' || key === 'at') continue;
    if (key === '__proto__') Object.defineProperty(line, key, { value: fields[key], enumerable: true, writable: true, configurable: true });
    else line[key] = fields[key];
  }
  return JSON.stringify(line);
}

type Attribute = { key: string; value: { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } };

/** The ExportTraceServiceRequest around the spans: everything before the spans array, and after it. */
function otlpEnvelope(): { head: string; tail: string } {
  const tail = ']}]}]}';
  const whole = JSON.stringify(otlpDocument([]));
  return { head: whole.slice(0, -tail.length), tail };
}

function otlpDocument(spans: unknown[]): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'agentctl'), attr('telemetry.sdk.name', 'agentctl')] },
        scopeSpans: [{ scope: { name: 'agentctl', version: '1' }, spans }],
      },
    ],
  };
}

function* otlpSpansOf(run: RunRow, events: readonly StoredEvent[]): Generator<Record<string, unknown>> {
  const traceId = traceIdOf(run.runId);
  function* visit(node: SpanNode): Generator<Record<string, unknown>> {
    yield otlpSpan(run, traceId, node);
    for (const child of node.children) yield* visit(child);
  }
  for (const root of buildTrace(events)) yield* visit(root);
}

/** The OTLP/JSON document as one object (built in memory: for small exports; the CLI streams `exportChunks`). */
export function exportOtlp(runs: RunStore, filter: RunFilter): Record<string, unknown> {
  const spans: Record<string, unknown>[] = [];
  for (const { run, events } of runs.eachWithEvents(filter)) spans.push(...otlpSpansOf(run, events));
  return otlpDocument(spans);
}

/**
 * The whole export as text, in chunks of about `chunkBytes` that end on a line (JSONL) or a span (OTLP),
 * so a consumer can redact and write each chunk on its own. Concatenated, the chunks are byte for byte
 * what `exportJsonl` lines or `JSON.stringify(exportOtlp(…))` give, each followed by a newline; memory
 * holds one run and one chunk at a time, whatever the size of the log.
 */
export function* exportChunks(runs: RunStore, filter: RunFilter, format: ExportFormat, chunkBytes = 64 * 1024): Generator<string> {
  let chunk = '';
  if (format === 'jsonl') {
    for (const { run, events } of runs.eachWithEvents(filter)) {
      for (const event of events) chunk += `${jsonlLine(run, event)}\n`;
      if (chunk.length >= chunkBytes) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
    return;
  }
  const { head, tail } = otlpEnvelope();
  chunk = head;
  let first = true;
  for (const { run, events } of runs.eachWithEvents(filter)) {
    for (const span of otlpSpansOf(run, events)) {
      chunk += first ? JSON.stringify(span) : `,${JSON.stringify(span)}`;
      first = false;
    }
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}${tail}\n`;
}

function otlpSpan(run: RunRow, traceId: string, node: SpanNode): Record<string, unknown> {
  const attributes: Attribute[] = [
    attr('gen_ai.conversation.id', run.sessionId),
    attr('agentctl.run.id', run.runId),
    attr('gen_ai.provider.name', run.provider),
  ];
  let name = node.name;
  let kind = 1; // INTERNAL
  switch (node.kind) {
    case 'agent':
    case 'sub-agent': {
      const agent = node.name.split('@')[0] as string;
      name = `invoke_agent ${agent}`;
      attributes.push(
        attr('gen_ai.operation.name', 'invoke_agent'),
        attr('gen_ai.agent.name', agent),
        attr('gen_ai.agent.version', node.name.split('@')[1] ?? ''),
      );
      break;
    }
    case 'model': {
      const found = node.events.find((e) => e.type === 'model.response');
      const response = found?.type === 'model.response' ? found : undefined;
      name = `chat ${node.name}`;
      kind = 3; // CLIENT
      attributes.push(attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', node.name));
      if (response) {
        const usage = response.usage;
        attributes.push(
          attr('gen_ai.response.model', response.model),
          attr('gen_ai.usage.input_tokens', usage.inputTokens),
          attr('gen_ai.usage.output_tokens', usage.outputTokens),
          attr('agentctl.cost_usd', response.costUsd),
        );
        // The provider sent no usage: the token counts above are agentctl's estimate, not the bill.
        if (response.usageEstimated === true) attributes.push(attr('agentctl.usage.estimated', true));
        if (response.truncated === true) attributes.push(attr('agentctl.response.truncated', true));
      }
      break;
    }
    case 'tool': {
      const call = node.events.find((e) => e.type === 'tool.call');
      name = `execute_tool ${node.name}`;
      attributes.push(attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', node.name), attr('gen_ai.tool.type', 'function'));
      if (call?.type === 'tool.call') attributes.push(attr('gen_ai.tool.call.arguments', JSON.stringify(call.input)));
      break;
    }
    default:
      attributes.push(attr('agentctl.span.kind', node.kind));
  }
  const end = node.endedAt ?? node.startedAt;
  return {
    traceId,
    spanId: node.spanId,
    ...(node.parentSpanId ? { parentSpanId: node.parentSpanId } : {}),
    name,
    kind,
    startTimeUnixNano: `${node.startedAt}000000`,
    endTimeUnixNano: `${end}000000`,
    attributes,
    events: node.events.map((e: StoredEvent) => ({
      name: e.type,
      timeUnixNano: `${e.at}000000`,
      attributes: [attr('agentctl.payload', JSON.stringify(payloadOf(e)))],
    })),
    status:
      node.status === 'ok'
        ? { code: 1 }
        : node.status === 'error'
          ? { code: 2, message: String(node.attributes.error ?? node.attributes.status ?? 'error') }
          : { code: 0 },
  };
}

function attr(key: string, value: string | number | boolean): Attribute {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return Number.isInteger(value) ? { key, value: { intValue: String(value) } } : { key, value: { doubleValue: value } };
}

/** A ULID is 128 bits: its Crockford base32 decoded to 32 hex digits makes a valid OTLP trace id. */
export function traceIdOf(runId: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let value = 0n;
  for (const char of runId.toUpperCase()) value = value * 32n + BigInt(Math.max(0, alphabet.indexOf(char)));
  return value.toString(16).padStart(32, '0').slice(-32);
}
