/**
 * A run as OTLP spans, following the OpenTelemetry GenAI semantic conventions: invoke_agent, chat and
 * execute_tool spans with gen_ai.* attributes, error.type on failures, server.* of the gateway. Every
 * attribute name is either in @opentelemetry/semantic-conventions or under agentctl.* (a test checks).
 * Message contents, tool arguments and results, and event payloads go out only when the user opts in
 * (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT); what goes out was redacted when it was logged.
 */
import { payloadOf, type StoredEvent } from '../events/decode.js';
import { buildTrace, type SpanNode } from '../events/queries.js';
import type { RunRow } from '../events/run-store.js';

export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: OtlpAnyValue[] } };
export type OtlpAttribute = { key: string; value: OtlpAnyValue };

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  events: { name: string; timeUnixNano: string; attributes: OtlpAttribute[] }[];
  status: { code: number; message?: string };
}

export interface OtlpDocument {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { scope: { name: string; version: string }; spans: OtlpSpan[] }[] }[];
}

export interface SpanOptions {
  /** The resource's service.name (OTEL_SERVICE_NAME; default agentctl). */
  serviceName?: string;
  /** Message contents, tool arguments/results and event payloads on the spans. */
  captureContent?: boolean;
}

declare const __AGENTCTL_VERSION__: string | undefined;
const SDK_VERSION = typeof __AGENTCTL_VERSION__ === 'string' ? __AGENTCTL_VERSION__ : '0.0.0-dev';

/** The ExportTraceServiceRequest around `spans`. */
export function otlpDocument(spans: OtlpSpan[], options: SpanOptions = {}): OtlpDocument {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            attr('service.name', options.serviceName ?? 'agentctl'),
            attr('telemetry.sdk.name', 'agentctl'),
            attr('telemetry.sdk.language', 'nodejs'),
            attr('telemetry.sdk.version', SDK_VERSION),
          ],
        },
        scopeSpans: [{ scope: { name: 'agentctl', version: SDK_VERSION }, spans }],
      },
    ],
  };
}

/** Every span of one run, parents before children. */
export function* otlpSpansOf(run: RunRow, events: readonly StoredEvent[], options: SpanOptions = {}): Generator<OtlpSpan> {
  const traceId = traceIdOf(run.runId);
  const finished = events.find((e) => e.type === 'run.finished');
  function* visit(node: SpanNode, root: boolean): Generator<OtlpSpan> {
    yield otlpSpan(run, traceId, node, options, root, finished);
    for (const child of node.children) yield* visit(child, false);
  }
  for (const root of buildTrace(events)) yield* visit(root, true);
}

type Finished = Extract<StoredEvent, { type: 'run.finished' }> | undefined;

function otlpSpan(run: RunRow, traceId: string, node: SpanNode, options: SpanOptions, root: boolean, finished: Finished): OtlpSpan {
  const capture = options.captureContent === true;
  const attributes: OtlpAttribute[] = [attr('gen_ai.conversation.id', run.sessionId), attr('agentctl.run.id', run.runId)];
  let name = node.name;
  let kind = 1; // INTERNAL
  switch (node.kind) {
    case 'agent':
    case 'sub-agent': {
      const [agent = node.name, version = ''] = node.name.split('@');
      name = `invoke_agent ${agent}`;
      attributes.push(
        attr('gen_ai.operation.name', 'invoke_agent'),
        attr('gen_ai.provider.name', providerName(run.provider, run.model)),
        attr('gen_ai.agent.name', agent),
        attr('gen_ai.agent.version', version),
      );
      // The digest names exactly what ran; a sub-agent's own digest is not in the log, so only the run's agent gets one.
      if (root) attributes.push(attr('gen_ai.agent.id', run.digest));
      if (capture && root && finished) {
        attributes.push(attr('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: run.input }] }])));
        if (finished.output !== null)
          attributes.push(attr('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: finished.output }] }])));
      }
      break;
    }
    case 'model':
      name = `chat ${node.name}`;
      kind = 3; // CLIENT
      attributes.push(attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', node.name), ...modelAttributes(run, node, capture));
      break;
    case 'tool': {
      const call = node.events.find((e) => e.type === 'tool.call');
      const result = node.events.find((e) => e.type === 'tool.result');
      name = `execute_tool ${node.name}`;
      attributes.push(attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', node.name), attr('gen_ai.tool.type', 'function'));
      if (call?.type === 'tool.call' && call.callId) attributes.push(attr('gen_ai.tool.call.id', call.callId));
      if (capture && call?.type === 'tool.call') attributes.push(attr('gen_ai.tool.call.arguments', JSON.stringify(call.input)));
      if (capture && result?.type === 'tool.result') attributes.push(attr('gen_ai.tool.call.result', JSON.stringify(result.output ?? null)));
      break;
    }
    default:
      attributes.push(attr('agentctl.span.kind', node.kind));
  }
  const errorType = node.status === 'error' ? String(node.attributes.error ?? node.attributes.status ?? 'error') : undefined;
  // error.type is a low-cardinality class; a tool's error is free text, so its class is just "tool_error".
  if (errorType !== undefined) attributes.push(attr('error.type', node.kind === 'tool' ? 'tool_error' : errorType));
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
    // Event payloads hold contents (messages, tool input and output): out only when the user opted in.
    events: node.events.map((e: StoredEvent) => ({
      name: e.type,
      timeUnixNano: `${e.at}000000`,
      attributes: capture ? [attr('agentctl.payload', JSON.stringify(payloadOf(e)))] : [],
    })),
    status: node.status === 'ok' ? { code: 1 } : node.status === 'error' ? { code: 2, message: errorType ?? 'error' } : { code: 0 },
  };
}

function modelAttributes(run: RunRow, node: SpanNode, capture: boolean): OtlpAttribute[] {
  const out: OtlpAttribute[] = [];
  const request = node.events.find((e) => e.type === 'model.request');
  const found = node.events.find((e) => e.type === 'model.response');
  const response = found?.type === 'model.response' ? found : undefined;
  out.push(attr('gen_ai.provider.name', providerName(run.provider, response?.model ?? node.name)));
  if (request?.type === 'model.request') {
    const p = request.params ?? {};
    if (p.temperature !== undefined) out.push(attr('gen_ai.request.temperature', p.temperature, 'double'));
    if (p.topP !== undefined) out.push(attr('gen_ai.request.top_p', p.topP, 'double'));
    const maxTokens = p.maxTokens ?? p.maxCompletionTokens;
    if (maxTokens !== undefined) out.push(attr('gen_ai.request.max_tokens', maxTokens));
    if (p.seed !== undefined) out.push(attr('gen_ai.request.seed', p.seed));
    if (p.stop !== undefined) out.push(strings('gen_ai.request.stop_sequences', typeof p.stop === 'string' ? [p.stop] : p.stop));
    const server = serverOf(request.endpoint);
    if (server) out.push(attr('server.address', server.address), attr('server.port', server.port));
  }
  if (response) {
    out.push(
      attr('gen_ai.response.model', response.model),
      attr('gen_ai.usage.input_tokens', response.usage.inputTokens),
      attr('gen_ai.usage.output_tokens', response.usage.outputTokens),
      attr('agentctl.cost_usd', response.costUsd, 'double'),
    );
    if (response.responseId) out.push(attr('gen_ai.response.id', response.responseId));
    if (response.finishReason) out.push(strings('gen_ai.response.finish_reasons', [response.finishReason]));
    // The provider sent no usage: the token counts above are agentctl's estimate, not the bill.
    if (response.usageEstimated === true) out.push(attr('agentctl.usage.estimated', true));
    if (response.truncated === true) out.push(attr('agentctl.response.truncated', true));
    if (capture) {
      const parts = [
        ...(response.content !== null ? [{ type: 'text', content: response.content }] : []),
        ...response.toolCalls.map((c) => ({ type: 'tool_call', id: c.id, name: c.name, arguments: c.arguments })),
      ];
      out.push(attr('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts, finish_reason: response.finishReason ?? undefined }])));
    }
  }
  return out;
}

/**
 * gen_ai.provider.name: the provider that answered. Behind a cassette (and the echo double) that is the
 * provider of the recorded model, told by its name, so a replayed trace groups with the live ones.
 */
export function providerName(provider: string, model: string): string {
  if (provider !== 'cassette') return provider;
  const m = model.toLowerCase();
  if (/^(gpt-|o\d|chatgpt|text-embedding|davinci)/.test(m)) return 'openai';
  if (m.startsWith('claude')) return 'anthropic';
  if (m.startsWith('gemini')) return 'gcp.gemini';
  if (/^(mistral|mixtral|codestral|ministral)/.test(m)) return 'mistral_ai';
  if (m.startsWith('command')) return 'cohere';
  if (m.startsWith('deepseek')) return 'deepseek';
  if (m.startsWith('grok')) return 'x_ai';
  return 'cassette';
}

function serverOf(endpoint: string | undefined): { address: string; port: number } | undefined {
  if (!endpoint) return undefined;
  try {
    const url = new URL(endpoint);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { address: url.hostname, port };
  } catch {
    return undefined;
  }
}

function strings(key: string, values: readonly string[]): OtlpAttribute {
  return { key, value: { arrayValue: { values: values.map((v) => ({ stringValue: v })) } } };
}

/** `double`: a value the conventions type as double stays one even when it is whole (temperature 1). */
export function attr(key: string, value: string | number | boolean, type?: 'double'): OtlpAttribute {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return Number.isInteger(value) && type !== 'double' ? { key, value: { intValue: String(value) } } : { key, value: { doubleValue: value } };
}

/** A ULID is 128 bits: its Crockford base32 decoded to 32 hex digits makes a valid OTLP trace id. */
export function traceIdOf(runId: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let value = 0n;
  for (const char of runId.toUpperCase()) value = value * 32n + BigInt(Math.max(0, alphabet.indexOf(char)));
  return value.toString(16).padStart(32, '0').slice(-32);
}
