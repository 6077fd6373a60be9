/**
 * Stored events back into the typed event union: the one decoder that `trace`, `replay`, `export` and the
 * playground's past runs share. A row holds the event's type, time and span id in columns and the rest
 * as (redacted, possibly claim-checked) JSON; fields added by later versions get their defaults, so old
 * logs read as today's events, and an unknown type is a clear error instead of a silent cast.
 */
import { EnvironmentError } from '../errors.js';
import type { BlobStore } from '../registry/blobs.js';
import type { RuntimeEvent, RuntimeEventType } from '../runtime/events.js';
import { decodePayload } from './event-log.js';

/** A runtime event as the log returns it: the event and its position in the run. */
export type StoredEvent = RuntimeEvent & { seq: number };

export interface EventRow {
  seq: number;
  type: string;
  at: number;
  spanId: string | null;
  payload: string;
}

const TYPES: ReadonlySet<string> = new Set<RuntimeEventType>([
  'run.started',
  'span.started',
  'span.ended',
  'context.assembled',
  'model.request',
  'model.delta',
  'model.response',
  'model.error',
  'policy.decision',
  'tool.call',
  'tool.result',
  'tool.error',
  'subagent.routed',
  'budget.exceeded',
  'fallback',
  'run.finished',
]);

/** Defaults for fields that older agentctl versions did not write. */
const DEFAULTS: Partial<Record<RuntimeEventType, Record<string, unknown>>> = {
  'run.started': { history: [], policies: [] },
  'run.finished': { fallback: null, modelErrors: [] },
};

/**
 * `{ ...defaults, ...payload, type, runId, at, seq }`: the same keys, order and values, without the spread, which
 * V8 ran through its generic clone (~5 µs an event, five times parsing the payload, and most of an OTLP export's
 * decoding). The payload was just parsed and is nobody else's: an event of a type without defaults is the payload,
 * completed in place.
 */
export function decodeEvent(runId: string, row: EventRow, blobs: BlobStore): StoredEvent {
  const { defaults, payload } = decodeEventFields(runId, row, blobs);
  // A payload that is not an object (a damaged row) is spread, as it always was: it cannot be completed in place.
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { ...defaults, ...(payload as object), type: row.type, runId, at: row.at, seq: row.seq } as unknown as StoredEvent;
  const event = defaults ? withDefaults(defaults, payload) : payload;
  event.type = row.type;
  event.runId = runId;
  event.at = row.at;
  event.seq = row.seq;
  return event as unknown as StoredEvent;
}

/** `{ ...defaults, ...payload }`: the defaults' keys first (the payload's value where it has one), then the payload's others. */
function withDefaults(defaults: Readonly<Record<string, unknown>>, payload: Record<string, unknown>): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const key in defaults) event[key] = Object.hasOwn(payload, key) ? payload[key] : defaults[key];
  for (const key in payload) {
    if (Object.hasOwn(defaults, key)) continue;
    // A payload key "__proto__" stays a plain key, as the spread kept it (an assignment would set the prototype).
    if (key === '__proto__') Object.defineProperty(event, key, { value: payload[key], enumerable: true, writable: true, configurable: true });
    else event[key] = payload[key];
  }
  return event;
}

/**
 * What `decodeEvent` checks and reads, without building the event: its payload and the defaults of its
 * type (the event is `{ ...defaults, ...payload, type, runId, at, seq }`). For a writer that lays the
 * fields out itself (export: one object a line instead of two).
 */
export function decodeEventFields(
  runId: string,
  row: EventRow,
  blobs: BlobStore,
): { defaults: Readonly<Record<string, unknown>> | undefined; payload: Record<string, unknown> } {
  if (!TYPES.has(row.type)) {
    throw new EnvironmentError(`the event log holds an event of an unknown type "${row.type}" (run ${runId}, #${row.seq})`, {
      fix: 'it was probably written by a newer agentctl: upgrade agentctl',
      code: 'unknown-event',
    });
  }
  return { defaults: DEFAULTS[row.type as RuntimeEventType], payload: decodePayload(row.payload, blobs) };
}

/** The event without its position: what the runtime emitted. */
export function payloadOf(event: StoredEvent): Record<string, unknown> {
  const { seq: _seq, runId: _runId, type: _type, at: _at, ...rest } = event;
  return rest;
}
