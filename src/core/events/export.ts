/**
 * Exports of the event log: JSONL (one event a line, with its run) and OTLP/JSON traces following the
 * OpenTelemetry GenAI semantic conventions (invoke_agent / chat / execute_tool spans, gen_ai.* attributes).
 * Both stream: the log is read run by run (two queries for the whole export) and the text comes out in
 * chunks, so 200,000 runs take as little memory as 20.
 */

import type { BlobStore } from '../registry/blobs.js';
import { type OtlpDocument, type OtlpSpan, otlpDocument, otlpSpansOf, type SpanOptions, traceIdOf } from '../telemetry/spans.js';
import { decodeEventFields, type EventRow } from './decode.js';
import type { RunFilter, RunRow, RunStore } from './run-store.js';

export type ExportFormat = 'jsonl' | 'otlp';

/** One JSONL line (without its newline) for each event, oldest run first. */
export function* exportJsonl(runs: RunStore, filter: RunFilter): Generator<string> {
  for (const { events } of runs.eachWithEvents(filter, jsonlLine)) yield* events;
}

/**
 * The line of one stored event: the run's fields, then what `...payloadOf(decodeEvent(row))` gives (the
 * same keys, order and overrides), laid out straight from the row's payload. The export's hot path: the
 * decoded event would be one more copy of every payload.
 */
function jsonlLine(run: RunRow, row: EventRow, blobs: BlobStore): string {
  const { defaults, payload } = decodeEventFields(run.runId, row, blobs);
  const line: Record<string, unknown> = {
    eventId: `${run.runId}.${row.seq}`,
    runId: run.runId,
    sessionId: run.sessionId,
    agent: run.agent,
    version: run.version,
    seq: row.seq,
    type: row.type,
    time: new Date(row.at).toISOString(),
  };
  // A decoded event has its type's defaults first (overridden in place by the payload's values).
  if (defaults) for (const key in defaults) line[key] = Object.hasOwn(payload, key) ? payload[key] : defaults[key];
  for (const key in payload) {
    if (key === 'seq' || key === 'runId' || key === 'type' || key === 'at') continue;
    // A payload key "__proto__" stays a plain key, as a spread would keep it.
    if (key === '__proto__') Object.defineProperty(line, key, { value: payload[key], enumerable: true, writable: true, configurable: true });
    else line[key] = payload[key];
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
    for (const { events } of runs.eachWithEvents(filter, jsonlLine)) {
      for (const line of events) chunk += `${line}\n`;
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
