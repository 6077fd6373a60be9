/**
 * Exports of the event log: JSONL (one event a line, with its run) and OTLP/JSON traces following the
 * OpenTelemetry GenAI semantic conventions (invoke_agent / chat / execute_tool spans, gen_ai.* attributes).
 * Both stream: the log is read run by run (two queries for the whole export) and the text comes out in
 * chunks, so 200,000 runs take as little memory as 20.
 */
import { type OtlpDocument, type OtlpSpan, otlpDocument, otlpSpansOf, type SpanOptions, traceIdOf } from '../telemetry/spans.js';
import type { StoredEvent } from './decode.js';
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

/** The ExportTraceServiceRequest around the spans: everything before the spans array, and after it. */
function otlpEnvelope(options: SpanOptions): { head: string; tail: string } {
  const tail = ']}]}]}';
  const whole = JSON.stringify(otlpDocument([], options));
  return { head: whole.slice(0, -tail.length), tail };
}

/** The OTLP/JSON document as one object (built in memory: for small exports; the CLI streams `exportChunks`). */
export function exportOtlp(runs: RunStore, filter: RunFilter, options: SpanOptions = {}): OtlpDocument {
  const spans: OtlpSpan[] = [];
  for (const { run, events } of runs.eachWithEvents(filter)) spans.push(...otlpSpansOf(run, events, options));
  return otlpDocument(spans, options);
}

/**
 * The OTLP export as documents of about `maxSpans` spans each (whole runs: a run is never split), for
 * sending to a collector batch by batch.
 */
export function* otlpBatches(
  runs: RunStore,
  filter: RunFilter,
  options: SpanOptions = {},
  maxSpans = 512,
): Generator<{ document: OtlpDocument; runs: number }> {
  let spans: OtlpSpan[] = [];
  let count = 0;
  for (const { run, events } of runs.eachWithEvents(filter)) {
    spans.push(...otlpSpansOf(run, events, options));
    count++;
    if (spans.length >= maxSpans) {
      yield { document: otlpDocument(spans, options), runs: count };
      spans = [];
      count = 0;
    }
  }
  if (count > 0) yield { document: otlpDocument(spans, options), runs: count };
}

/**
 * The whole export as text, in chunks of about `chunkBytes` that end on a line (JSONL) or a span (OTLP),
 * so a consumer can redact and write each chunk on its own. Concatenated, the chunks are byte for byte
 * what `exportJsonl` lines or `JSON.stringify(exportOtlp(…))` give, each followed by a newline; memory
 * holds one run and one chunk at a time, whatever the size of the log.
 */
export function* exportChunks(runs: RunStore, filter: RunFilter, format: ExportFormat, chunkBytes = 64 * 1024, options: SpanOptions = {}): Generator<string> {
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
  const { head, tail } = otlpEnvelope(options);
  chunk = head;
  let first = true;
  for (const { run, events } of runs.eachWithEvents(filter)) {
    for (const span of otlpSpansOf(run, events, options)) {
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

export { traceIdOf };
