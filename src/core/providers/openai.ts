/**
 * Any OpenAI-compatible chat-completions endpoint (LiteLLM, OpenAI, vLLM, Ollama): streaming, tool
 * calls, usage, retries with backoff on 429/5xx/dropped streams, per-attempt timeouts. The API key is
 * sent as a bearer header and never appears in errors or events.
 */
import type { ToolCall } from '../runtime/events.js';
import { sleep } from '../util/sleep.js';
import { type ChatMessage, estimateUsage, ModelError, type ModelProvider, type ModelRequest, type ModelResponse } from './types.js';

export interface OpenAIOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** Per attempt. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx, network errors and dropped streams. */
  retries?: number;
  /** First backoff; doubles each retry (a Retry-After header wins, up to 10 s). */
  backoffMs?: number;
  fetch?: typeof fetch;
}

export function createOpenAIProvider(options: OpenAIOptions): ModelProvider {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const retries = options.retries ?? 3;
  const doFetch = options.fetch ?? fetch;
  return {
    name: 'openai',
    testDouble: false,
    async complete(request, { signal, onDelta }) {
      let lastError: ModelError | undefined;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (signal.aborted) throw new ModelError('cancelled', 'cancelled', false);
        try {
          return await attemptOnce(doFetch, url, options, request, signal, onDelta);
        } catch (error) {
          lastError = error instanceof ModelError ? error : new ModelError(String(error), 'network', true);
          if (!lastError.retryable || attempt === retries || signal.aborted) break;
          const wait = (lastError as ModelError & { retryAfterMs?: number }).retryAfterMs ?? (options.backoffMs ?? 250) * 2 ** attempt;
          await sleep(Math.min(wait, 10_000), signal);
        }
      }
      throw lastError ?? new ModelError('model call failed', 'network', false);
    },
  };
}

async function attemptOnce(
  doFetch: typeof fetch,
  url: string,
  options: OpenAIOptions,
  request: ModelRequest,
  signal: AbortSignal,
  onDelta: ((text: string) => void) | undefined,
): Promise<ModelResponse> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const attemptSignal = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify(toOpenAIRequest(request)),
      signal: attemptSignal,
    });
  } catch (error) {
    throw transportError(error, signal, timeoutMs, url);
  }
  if (!response.ok) throw await httpError(response, url);
  try {
    const type = response.headers.get('content-type') ?? '';
    return type.includes('text/event-stream')
      ? await readStream(response, request, onDelta)
      : fromCompletion((await response.json()) as OpenAICompletion, request);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw transportError(error, signal, timeoutMs, url);
  }
}

interface OpenAIToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface OpenAICompletion {
  model?: string;
  choices?: {
    message?: { content?: string | null; tool_calls?: OpenAIToolCall[] };
    delta?: { content?: string | null; tool_calls?: OpenAIToolCall[] };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

function toOpenAIRequest(request: ModelRequest): Record<string, unknown> {
  return {
    model: request.model,
    messages: request.messages.map(toOpenAIMessage),
    ...(request.tools.length
      ? { tools: request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) }
      : {}),
    stream: true,
    stream_options: { include_usage: true },
    ...(request.params.temperature !== undefined ? { temperature: request.params.temperature } : {}),
    ...(request.params.topP !== undefined ? { top_p: request.params.topP } : {}),
    ...(request.params.maxTokens !== undefined ? { max_tokens: request.params.maxTokens } : {}),
    ...(request.params.seed !== undefined ? { seed: request.params.seed } : {}),
  };
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

async function readStream(response: Response, request: ModelRequest, onDelta: ((text: string) => void) | undefined): Promise<ModelResponse> {
  if (!response.body) throw new ModelError('the endpoint sent an empty stream', 'stream-dropped', true);
  const decoder = new TextDecoder();
  let buffer = '';
  let content = '';
  let done = false;
  let finished = false;
  let model = request.model;
  let usage: OpenAICompletion['usage'] = null;
  const calls = new Map<number, { id?: string; name: string; args: string }>();
  const handle = (line: string) => {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      return;
    }
    let chunk: OpenAICompletion;
    try {
      chunk = JSON.parse(data) as OpenAICompletion;
    } catch {
      throw new ModelError(`the endpoint streamed malformed JSON: ${data.slice(0, 80)}`, 'malformed', false);
    }
    if (chunk.model) model = chunk.model;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const text = choice.delta?.content;
      if (text) {
        content += text;
        onDelta?.(text);
      }
      for (const call of choice.delta?.tool_calls ?? []) {
        const index = call.index ?? 0;
        const current = calls.get(index) ?? { name: '', args: '' };
        if (call.id) current.id = call.id;
        if (call.function?.name) current.name += call.function.name;
        if (call.function?.arguments) current.args += call.function.arguments;
        calls.set(index, current);
      }
      if (choice.finish_reason) finished = true;
    }
  };
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      handle(buffer.slice(0, newline).trim());
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  handle(buffer.trim());
  if (!done && !finished) throw new ModelError('the stream ended before the response was complete', 'stream-dropped', true);
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([i, c]) => parseToolCall(c.id ?? `call_${request.step}_${i + 1}`, c.name, c.args));
  return finish(request, content === '' && toolCalls.length ? null : content, toolCalls, usage, model);
}

function fromCompletion(body: OpenAICompletion, request: ModelRequest): ModelResponse {
  const message = body.choices?.[0]?.message;
  if (!message) throw new ModelError('the endpoint answered without a choice', 'malformed', false);
  const toolCalls = (message.tool_calls ?? []).map((c, i) =>
    parseToolCall(c.id ?? `call_${request.step}_${i + 1}`, c.function?.name ?? '', c.function?.arguments ?? '{}'),
  );
  return finish(request, message.content ?? null, toolCalls, body.usage, body.model ?? request.model);
}

function finish(request: ModelRequest, content: string | null, toolCalls: ToolCall[], usage: OpenAICompletion['usage'], model: string): ModelResponse {
  const reported = usage?.prompt_tokens !== undefined ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens ?? 0 } : undefined;
  return { content, toolCalls, usage: reported ?? estimateUsage(request, { content, toolCalls }), model };
}

function parseToolCall(id: string, name: string, args: string): ToolCall {
  if (!name) throw new ModelError('the model sent a tool call without a name', 'malformed', false);
  try {
    const parsed = args.trim() === '' ? {} : (JSON.parse(args) as unknown);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return { id, name, arguments: parsed as Record<string, unknown> };
  } catch {
    throw new ModelError(`the model sent malformed arguments for ${name}: ${args.slice(0, 80)}`, 'malformed', false);
  }
}

async function httpError(response: Response, url: string): Promise<ModelError> {
  let detail = '';
  try {
    const body = (await response.json()) as { error?: { message?: string } | string };
    detail = typeof body.error === 'string' ? body.error : (body.error?.message ?? '');
  } catch {
    // no JSON body
  }
  const status = response.status;
  const what = `${url} answered ${status}${detail ? `: ${detail.slice(0, 200)}` : ''}`;
  if (status === 429) {
    const error = new ModelError(what, 'rate-limit', true) as ModelError & { retryAfterMs?: number };
    const after = Number(response.headers.get('retry-after'));
    if (Number.isFinite(after) && after > 0) error.retryAfterMs = after * 1000;
    return error;
  }
  if (status >= 500) return new ModelError(what, 'server', true);
  if (status === 401 || status === 403) return new ModelError(what, 'auth', false, 'check the API key: the environment variable named by gateway.apiKeyEnv');
  return new ModelError(what, 'bad-request', false);
}

function transportError(error: unknown, signal: AbortSignal, timeoutMs: number, url: string): ModelError {
  if (signal.aborted) return new ModelError('cancelled', 'cancelled', false);
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') return new ModelError(`${url} did not answer within ${timeoutMs} ms`, 'timeout', true);
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  return new ModelError(
    `cannot reach ${url}${cause ? ` (${cause})` : ''}: ${(error as Error).message}`,
    'network',
    true,
    'is the gateway running? check gateway.baseUrl',
  );
}
