/** Pure views of the event log: a run's span tree from its events, and "since" windows. */
import { UsageError } from '../errors.js';
import type { SpanKind } from '../runtime/events.js';
import type { StoredEvent } from './decode.js';

export interface SpanNode {
  spanId: string;
  parentSpanId: string | null;
  kind: SpanKind;
  name: string;
  startedAt: number;
  endedAt: number | null;
  status: 'ok' | 'error' | 'unfinished';
  attributes: Record<string, unknown>;
  events: StoredEvent[];
  children: SpanNode[];
}

/** The span tree of a run, from its events (spans a killed run never ended show as unfinished). */
export function buildTrace(events: readonly StoredEvent[]): SpanNode[] {
  const spans = new Map<string, SpanNode>();
  const roots: SpanNode[] = [];
  for (const event of events) {
    if (event.type === 'span.started') {
      const node: SpanNode = {
        spanId: event.spanId,
        parentSpanId: event.parentSpanId ?? null,
        kind: event.kind,
        name: event.name,
        startedAt: event.at,
        endedAt: null,
        status: 'unfinished',
        attributes: {},
        events: [],
        children: [],
      };
      spans.set(node.spanId, node);
      const parent = node.parentSpanId ? spans.get(node.parentSpanId) : undefined;
      (parent ? parent.children : roots).push(node);
    } else if (event.type === 'span.ended') {
      const node = spans.get(event.spanId);
      if (node) {
        node.endedAt = event.at;
        node.status = event.status;
        node.attributes = event.attributes ?? {};
      }
    } else if ('spanId' in event && event.spanId) spans.get(event.spanId)?.events.push(event);
  }
  return roots;
}

/** "7d", "24h", "30m" or an ISO date → epoch ms. */
export function parseSince(text: string, now = Date.now()): number {
  const match = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (match) {
    const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[match[2] as 's'] as number;
    return now - Number(match[1]) * unit;
  }
  const date = Date.parse(text);
  if (Number.isNaN(date)) throw new UsageError(`cannot read the time "${text}"`, { fix: 'use a duration such as 30m, 24h, 7d, or a date such as 2026-11-01' });
  return date;
}
