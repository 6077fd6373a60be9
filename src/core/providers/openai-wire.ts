/** The OpenAI chat-completions wire format: requests out, whole (non-streamed) answers in, and their normalisation. */
import type { ToolCall } from '../runtime/events.js';
import { type ChatMessage, estimateUsage, ModelError, type ModelRequest, type ModelResponse } from './types.js';

export interface OpenAIToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChoice {
  message?: { content?: string | null; refusal?: string | null; tool_calls?: OpenAIToolCall[] };
  delta?: { content?: string | null; refusal?: string | null; tool_calls?: OpenAIToolCall[] };
  finish_reason?: string | null;
}

export interface OpenAICompletion {
  id?: string;
  model?: string;
  choices?: OpenAIChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

export type MaxTokensParam = 'max_tokens' | 'max_completion_tokens';

export interface WireOptions {
  stream: boolean;
  /** Which name `params.maxTokens` goes out under; `auto` picks max_completion_tokens for reasoning models. */
  maxTokensParam: MaxTokensParam | 'auto';
}

/** Reasoning models (o1, o3, o4-mini, gpt-5…) reject max_tokens; a gateway prefix such as "openai/" is ignored. */
export function needsMaxCompletionTokens(model: string): boolean {
  const name = model.split('/').pop() ?? model;
  return /^(o\d|gpt-5)/i.test(name);
}

export function toOpenAIRequest(request: ModelRequest, options: WireOptions): Record<string, unknown> {
  const p = request.params;
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map(toOpenAIMessage),
    stream: options.stream,
  };
  if (options.stream) body.stream_options = { include_usage: true };
  if (request.tools.length) {
    body.tools = request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  }
  const set = (name: string, value: unknown) => {
    if (value !== undefined) body[name] = value;
  };
  set('temperature', p.temperature);
  set('top_p', p.topP);
  // Named only when there is a limit to send: the model-name test is not free on every request.
  if (p.maxTokens !== undefined) {
    const auto = needsMaxCompletionTokens(request.model) ? 'max_completion_tokens' : 'max_tokens';
    set(options.maxTokensParam === 'auto' ? auto : options.maxTokensParam, p.maxTokens);
  }
  set('max_completion_tokens', p.maxCompletionTokens);
  set('seed', p.seed);
  set('stop', p.stop);
  set('reasoning_effort', p.reasoningEffort);
  set('parallel_tool_calls', p.parallelToolCalls);
  set('tool_choice', typeof p.toolChoice === 'object' ? { type: 'function', function: { name: p.toolChoice.name } } : p.toolChoice);
  const format = p.responseFormat;
  if (format?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: format.name, schema: format.schema, ...(format.strict !== undefined ? { strict: format.strict } : {}) },
    };
  } else set('response_format', format);
  return body;
}

function toOpenAIMessage(message: ChatMessage): Record<string, unknown> {
  return {
    role: message.role,
    content: message.content,
    ...(message.toolCalls?.length
      ? { tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) }
      : {}),
    ...(message.toolCallId ? { tool_call_id: message.toolCallId } : {}),
  };
}

export function fromCompletion(body: OpenAICompletion, request: ModelRequest, url: string): ModelResponse {
  const choice = body.choices?.[0];
  const message = choice?.message;
  if (!message) throw new ModelError(`${url} answered without a choice`, 'malformed', false);
  const toolCalls = (message.tool_calls ?? []).map((c, i) =>
    parseToolCall(c.id ?? `call_${request.step}_${i + 1}`, c.function?.name ?? '', c.function?.arguments ?? '{}'),
  );
  return finish(request, {
    content: message.content ?? null,
    refusal: message.refusal ?? null,
    toolCalls,
    usage: body.usage,
    model: body.model ?? request.model,
    id: body.id,
    finishReason: choice.finish_reason ?? null,
  });
}

export interface Assembled {
  content: string | null;
  refusal: string | null;
  toolCalls: ToolCall[];
  usage: OpenAICompletion['usage'];
  model: string;
  finishReason: string | null;
  /** The completion's id, when the gateway sent one (traces carry it as gen_ai.response.id). */
  id?: string | undefined;
}

/** The normalised response: usage marked estimated when the gateway sent none, a refusal kept as the answer. */
export function finish(request: ModelRequest, a: Assembled): ModelResponse {
  if (a.finishReason === 'content_filter') {
    throw new ModelError(
      `the gateway's content filter stopped the answer of ${a.model} (finish_reason content_filter)`,
      'content-filter',
      false,
      'rephrase the input or the prompt; the provider withheld the answer',
    );
  }
  const content = a.refusal && !a.content ? a.refusal : a.content;
  const reported = a.usage?.prompt_tokens !== undefined ? { inputTokens: a.usage.prompt_tokens, outputTokens: a.usage.completion_tokens ?? 0 } : undefined;
  return {
    content,
    toolCalls: a.toolCalls,
    usage: reported ?? estimateUsage(request, { content, toolCalls: a.toolCalls }),
    model: a.model,
    ...(a.id ? { id: a.id } : {}),
    finishReason: a.finishReason,
    truncated: a.finishReason === 'length',
    refusal: a.refusal || null,
    usageEstimated: reported === undefined,
  };
}

export function parseToolCall(id: string, name: string, args: string): ToolCall {
  if (!name) throw new ModelError('the model sent a tool call without a name', 'malformed', false);
  try {
    const parsed = args.trim() === '' ? {} : (JSON.parse(args) as unknown);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return { id, name, arguments: parsed as Record<string, unknown> };
  } catch {
    throw new ModelError(`the model sent malformed arguments for ${name}: ${args.slice(0, 80)}`, 'malformed', false);
  }
}
