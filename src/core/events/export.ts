/**
 * Exports of the event log: JSONL (one event a line, with its run) and OTLP/JSON traces following the
 * OpenTelemetry GenAI semantic conventions (invoke_agent / chat / execute_tool spans, gen_ai.* attributes).
 */
import { payloadOf, type StoredEvent } from './decode.js';
import { buildTrace, type SpanNode } from './queries.js';
import type { RunFilter, RunRow, RunStore } from './run-store.js';

export function* exportJsonl(runs: RunStore, filter: RunFilter): Generator<string> {
  for (const run of runs.list({ ...filter, limit: filter.limit ?? Number.MAX_SAFE_INTEGER }).reverse()) {
    for (const event of runs.events(run.runId)) {
      yield JSON.stringify({
        eventId: `${run.runId}.${event.seq}`,
        runId: run.runId,
        sessionId: run.sessionId,
        agent: run.agent,
        version: run.version,
        seq: event.seq,
        type: event.type,
        time: new Date(event.at).toISOString(),
        ...payloadOf(event),
      });
    }
  }
}

type Attribute = { key: string; value: { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } };

export function exportOtlp(runs: RunStore, filter: RunFilter): Record<string, unknown> {
  const spans: Record<string, unknown>[] = [];
  for (const run of runs.list({ ...filter, limit: filter.limit ?? Number.MAX_SAFE_INTEGER }).reverse()) {
    const traceId = traceIdOf(run.runId);
    const visit = (node: SpanNode) => {
      spans.push(otlpSpan(run, traceId, node));
      for (const child of node.children) visit(child);
    };
    for (const root of buildTrace(runs.events(run.runId))) visit(root);
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'agentctl'), attr('telemetry.sdk.name', 'agentctl')] },
        scopeSpans: [{ scope: { name: 'agentctl', version: '1' }, spans }],
      },
    ],
  };
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
