/** How one runtime event changes the live run: its span tree, streamed text, totals and status. */
import type { RuntimeEvent } from '../../core/runtime/events.js';
import { answeredByTestDouble } from '../../core/session/playground-types.js';
import type { CurrentRun, SpanRow } from './state.js';

export function applyEvent(current: CurrentRun, event: RuntimeEvent): CurrentRun {
  const rows = current.rows;
  const row = (spanId: string) => rows.findLastIndex((r) => r.spanId === spanId);
  const annotate = (spanId: string, detail: string) => {
    const i = row(spanId);
    const target = rows[i];
    if (target) rows[i] = { ...target, details: [...target.details, detail] };
  };
  switch (event.type) {
    case 'run.started':
      return { ...current, runId: event.runId };
    case 'span.started': {
      const parent = event.parentSpanId ? rows[row(event.parentSpanId)] : undefined;
      rows.push({
        spanId: event.spanId,
        parentSpanId: event.parentSpanId,
        depth: parent ? parent.depth + 1 : 0,
        kind: event.kind,
        name: event.name,
        status: 'running',
        childFailed: false,
        startedAt: event.at,
        ms: null,
        details: [],
      });
      return current;
    }
    case 'span.ended': {
      const i = row(event.spanId);
      const target = rows[i];
      if (target) rows[i] = { ...target, status: event.status, ms: event.at - target.startedAt };
      if (event.status === 'error') markAncestors(rows, i);
      return current;
    }
    case 'model.delta':
      return { ...current, text: current.text + event.text };
    case 'model.response':
      annotate(
        event.spanId,
        `${event.usage.inputTokens}→${event.usage.outputTokens} tok · $${event.costUsd.toFixed(4)}${event.toolCalls.length ? ` · calls ${event.toolCalls.map((c) => c.name).join(', ')}` : ''}`,
      );
      return {
        ...current,
        testDouble: current.testDouble || answeredByTestDouble(event),
        tokens: current.tokens + event.usage.inputTokens + event.usage.outputTokens,
        costUsd: current.costUsd + event.costUsd,
        latencyMs: current.latencyMs + event.latencyMs,
      };
    case 'model.error':
      annotate(event.spanId, `✗ ${event.errorClass}`);
      return { ...current, error: event.error };
    case 'tool.call':
      annotate(event.spanId, `in ${JSON.stringify(event.input)}`);
      return current;
    case 'tool.result':
      annotate(event.spanId, `out(${event.source}) ${JSON.stringify(event.output)}`);
      return current;
    case 'tool.error':
      annotate(event.spanId, `✗ ${event.error}`);
      return current;
    case 'context.assembled':
      annotate(event.spanId, `${event.tokens}${event.budget ? `/${event.budget}` : ''} tok${event.trimmed.length ? ` · trimmed ${event.trimmed.length}` : ''}`);
      return current;
    case 'policy.decision':
      if (!event.allowed) annotate(event.spanId, `policy ${event.policy} denied ${event.resource}`);
      return current;
    case 'subagent.routed':
      annotate(event.spanId, `→ ${event.to} (${event.by})`);
      return current;
    case 'budget.exceeded':
      annotate(event.spanId, `budget ${event.limit} exceeded`);
      return current;
    case 'fallback':
      annotate(event.spanId, `fallback → ${event.to}`);
      return current;
    case 'model.request':
      return current;
    case 'run.finished':
      return {
        ...current,
        status: event.status,
        text: event.output ?? current.text,
        error: event.error,
        tokens: event.usage.inputTokens + event.usage.outputTokens,
        costUsd: event.costUsd,
        latencyMs: event.latencyMs,
      };
  }
}

/** Flags every ancestor of row `i`, so a succeeded agent span with a failed tool under it is not drawn green. */
function markAncestors(rows: SpanRow[], i: number): void {
  let parent = rows[i]?.parentSpanId ?? null;
  while (parent !== null) {
    const j = rows.findLastIndex((r) => r.spanId === parent);
    const row = rows[j];
    if (!row) return;
    rows[j] = { ...row, childFailed: true };
    parent = row.parentSpanId;
  }
}
