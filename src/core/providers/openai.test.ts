import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/support/fake-openai.js';
import { createRedactor } from '../events/redact.js';
import type { AgentSnapshot } from '../runtime/snapshot.js';
import { resolveConfig } from '../workspace/config.js';
import { createProvider } from './create.js';
import { createOpenAIProvider } from './openai.js';
import { ModelError, type ModelRequest } from './types.js';

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI();
});
afterAll(() => server.close());

const request: ModelRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hi' },
  ],
  tools: [{ name: 'lookup', description: 'look up', parameters: { type: 'object' } }],
  params: { temperature: 0.2 },
  agent: 'a',
  input: 'hi',
  step: 1,
};
const provider = (extra: Partial<Parameters<typeof createOpenAIProvider>[0]> = {}) =>
  createOpenAIProvider({ baseUrl: server.url, apiKey: 'sk-test-secret-key-000000000000', backoffMs: 5, timeoutMs: 2_000, ...extra });
const call = (p = provider()) => p.complete(request, { signal: new AbortController().signal });
const failure = async (p = provider()) => {
  try {
    await call(p);
  } catch (error) {
    return error as ModelError;
  }
  throw new Error('expected the call to fail');
};

describe('openai provider', () => {
  it('streams text with usage, sending tools, params and the key as a bearer header', async () => {
    server.script({ kind: 'text', text: 'Hello there, friend.', usage: { prompt_tokens: 21, completion_tokens: 5 } });
    const deltas: string[] = [];
    const response = await provider().complete(request, { signal: new AbortController().signal, onDelta: (d) => deltas.push(d) });
    expect(response).toMatchObject({ content: 'Hello there, friend.', toolCalls: [], usage: { inputTokens: 21, outputTokens: 5 } });
    expect(deltas.length).toBeGreaterThan(1);
    const sent = server.requests.at(-1);
    expect(sent?.headers.authorization).toBe('Bearer sk-test-secret-key-000000000000');
    expect(sent?.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, temperature: 0.2, tools: [{ type: 'function', function: { name: 'lookup' } }] });
  });

  it('assembles streamed tool calls', async () => {
    server.script({ kind: 'tool', name: 'lookup', args: { query: 'refund policy', limit: 3 }, id: 'call_9' });
    expect(await call()).toMatchObject({ content: null, toolCalls: [{ id: 'call_9', name: 'lookup', arguments: { query: 'refund policy', limit: 3 } }] });
  });

  it('reads a non-streaming JSON answer too', async () => {
    server.script({ kind: 'json', text: 'plain' });
    expect(await call()).toMatchObject({ content: 'plain', usage: { inputTokens: 5, outputTokens: 2 } });
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    server.script({ kind: 'status', status: 429, retryAfter: 0 }, { kind: 'status', status: 503 }, { kind: 'text', text: 'recovered' });
    const before = server.requests.length;
    expect((await call()).content).toBe('recovered');
    expect(server.requests.length - before).toBe(3);
  });

  it('gives up after its retries with the status, and never echoes the key', async () => {
    server.script({ kind: 'status', status: 500, message: 'upstream exploded' });
    const error = await failure(provider({ retries: 2 }));
    expect(error).toMatchObject({ errorClass: 'server', retryable: true });
    expect(error.message).toContain('answered 500: upstream exploded');
    expect(error.message).not.toContain('sk-test-secret');
  });

  it('does not retry auth errors, and says where the key comes from', async () => {
    server.script({ kind: 'status', status: 401 });
    const before = server.requests.length;
    const error = await failure();
    expect(server.requests.length - before).toBe(1);
    expect(error).toMatchObject({ errorClass: 'auth' });
    expect(error.fix).toContain('apiKeyEnv');
  });

  it('reports malformed streamed JSON', async () => {
    server.script({ kind: 'malformed' });
    expect(await failure()).toMatchObject({ errorClass: 'malformed' });
  });

  it('retries a stream that drops, and reports it when it keeps dropping', async () => {
    server.script({ kind: 'drop' }, { kind: 'text', text: 'second time lucky' });
    expect((await call()).content).toBe('second time lucky');
    server.script({ kind: 'drop' });
    const error = await failure(provider({ retries: 1 }));
    expect(['stream-dropped', 'network']).toContain(error.errorClass);
  });

  it('times out a slow endpoint', async () => {
    server.script({ kind: 'slow', ms: 1_500, text: 'too late' });
    const error = await failure(provider({ timeoutMs: 200, retries: 0 }));
    expect(error).toMatchObject({ errorClass: 'timeout' });
  });

  it('times out a gateway that accepts and never answers, naming the URL and the time', async () => {
    server.script({ kind: 'hang' });
    const started = Date.now();
    const error = await failure(provider({ timeoutMs: 300, retries: 0 }));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error).toMatchObject({ errorClass: 'timeout', message: `no answer from ${server.url}/chat/completions in 300 ms` });
  });

  it('times out a stream that sends one chunk and then goes silent', async () => {
    server.script({ kind: 'hang-after-chunk' });
    const started = Date.now();
    const deltas: string[] = [];
    const p = provider({ timeoutMs: 1_000, retries: 0 });
    const error = await p.complete(request, { signal: new AbortController().signal, onDelta: (d) => deltas.push(d) }).catch((e: ModelError) => e);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(deltas).toEqual(['Once upon']);
    expect(error).toMatchObject({ errorClass: 'timeout' });
    expect((error as ModelError).message).toMatch(
      /^no answer from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions in 1 s \(the answer stalled after 1 chunk\)$/,
    );
  });

  it('a cancel wins over the deadline and is reported as a cancel', async () => {
    server.script({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await provider({ timeoutMs: 5_000 })
      .complete(request, { signal: controller.signal })
      .catch((e: ModelError) => e);
    expect(error).toMatchObject({ errorClass: 'cancelled' });
  });

  it('reports an endpoint that is down', async () => {
    const error = await failure(createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1', retries: 1, backoffMs: 1 }));
    expect(error).toMatchObject({ errorClass: 'network' });
    expect(error.message).toContain('cannot reach');
    expect(error).toBeInstanceOf(ModelError);
  });
});

describe('openai protocol fidelity', () => {
  const count = async (p: ReturnType<typeof provider>) => {
    const before = server.requests.length;
    const error = await failure(p);
    return { error, requests: server.requests.length - before };
  };

  it('surfaces a 4xx error sent inside a 200 stream with its message, without retrying it', async () => {
    server.script({ kind: 'stream-error', message: 'Incorrect API key provided to upstream', code: 401 });
    const { error, requests } = await count(provider());
    expect(requests).toBe(1);
    expect(error).toMatchObject({ errorClass: 'auth', retryable: false });
    expect(error.message).toContain('sent an error inside its stream (401): Incorrect API key provided to upstream');
  });

  it('retries a 5xx error sent inside a 200 stream (as an SSE error event too)', async () => {
    server.script({ kind: 'stream-error', message: 'upstream overloaded', code: '500', style: 'event' }, { kind: 'text', text: 'recovered' });
    const before = server.requests.length;
    expect((await call()).content).toBe('recovered');
    expect(server.requests.length - before).toBe(2);
  });

  it.each([
    [{ message: 'model gpt-9 does not exist' }, 'model gpt-9 does not exist'],
    [{ status: 'failure', message: 'x-portkey-provider is required' }, 'x-portkey-provider is required'],
    [{ detail: [{ msg: 'field required' }] }, '{"detail":[{"msg":"field required"}]}'],
  ])('shows an error body shaped %j', async (body, shown) => {
    server.script({ kind: 'status', status: 400, body });
    const { error } = await count(provider());
    expect(error).toMatchObject({ errorClass: 'bad-request' });
    expect(error.message).toContain(`answered 400: ${shown}`);
  });

  it('calls a stream cut mid-way cut, not an unreachable gateway', async () => {
    server.script({ kind: 'cut' });
    const { error, requests } = await count(provider({ retries: 1 }));
    expect(requests).toBe(2);
    expect(error).toMatchObject({ errorClass: 'stream-dropped' });
    expect(error.message).toMatch(/the stream from .* was cut after 1 chunk/);
    expect(`${error.message} ${error.fix}`).not.toContain('is the gateway running');
  });

  it('marks a length finish truncated, keeps a refusal as the answer, and fails a content filter', async () => {
    server.script({ kind: 'finish', text: 'The answer is', reason: 'length' });
    expect(await call()).toMatchObject({ content: 'The answer is', truncated: true, finishReason: 'length', refusal: null });
    server.script({ kind: 'refusal', text: "I can't help with that." });
    expect(await call()).toMatchObject({ content: "I can't help with that.", refusal: "I can't help with that.", truncated: false });
    server.script({ kind: 'finish', text: 'partial', reason: 'content_filter' });
    const { error, requests } = await count(provider());
    expect(requests).toBe(1);
    expect(error).toMatchObject({ errorClass: 'content-filter', retryable: false });
  });

  it('marks usage the gateway did not send as estimated, and reported usage as not', async () => {
    server.script({ kind: 'no-usage', text: 'no usage here' });
    const estimated = await call();
    expect(estimated.usageEstimated).toBe(true);
    expect(estimated.usage.outputTokens).toBeGreaterThan(0);
    server.script({ kind: 'text', text: 'counted', usage: { prompt_tokens: 3, completion_tokens: 1 } });
    expect(await call()).toMatchObject({ usageEstimated: false, usage: { inputTokens: 3, outputTokens: 1 } });
  });

  it('sends max_completion_tokens for reasoning models and max_tokens otherwise, overridable', async () => {
    server.script({ kind: 'text', text: 'ok' });
    const withMax = (model: string) => ({ ...request, model, params: { maxTokens: 64 } });
    const signal = new AbortController().signal;
    await provider().complete(withMax('o3-mini'), { signal });
    expect(server.requests.at(-1)?.body).toMatchObject({ max_completion_tokens: 64 });
    expect(server.requests.at(-1)?.body).not.toHaveProperty('max_tokens');
    await provider().complete(withMax('openai/gpt-5'), { signal });
    expect(server.requests.at(-1)?.body).toMatchObject({ max_completion_tokens: 64 });
    await provider().complete(withMax('gpt-4o-mini'), { signal });
    expect(server.requests.at(-1)?.body).toMatchObject({ max_tokens: 64 });
    await provider({ maxTokensParam: 'max_completion_tokens' }).complete(withMax('gpt-4o-mini'), { signal });
    expect(server.requests.at(-1)?.body).toMatchObject({ max_completion_tokens: 64 });
  });

  it('sends tool_choice, parallel_tool_calls, response_format, reasoning_effort and stop in the wire format', async () => {
    server.script({ kind: 'text', text: '{}' });
    const params = {
      toolChoice: { name: 'lookup' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema' as const, name: 'answer', schema: { type: 'object' }, strict: true },
      reasoningEffort: 'low' as const,
      stop: ['END'],
    };
    await provider().complete({ ...request, params }, { signal: new AbortController().signal });
    expect(server.requests.at(-1)?.body).toMatchObject({
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'low',
      stop: ['END'],
    });
    await provider().complete(
      { ...request, params: { toolChoice: 'required', responseFormat: { type: 'json_object' } } },
      { signal: new AbortController().signal },
    );
    expect(server.requests.at(-1)?.body).toMatchObject({ tool_choice: 'required', response_format: { type: 'json_object' } });
  });

  it('sends extra headers and never shows their values in errors', async () => {
    server.script({ kind: 'status', status: 400, message: 'bad provider' });
    const { error } = await count(provider({ headers: { 'x-portkey-provider': 'openai', 'api-key': 'azure-secret-value-123' } }));
    expect(server.requests.at(-1)?.headers).toMatchObject({ 'x-portkey-provider': 'openai', 'api-key': 'azure-secret-value-123' });
    expect(`${error.message} ${error.fix}`).not.toContain('azure-secret-value-123');
  });

  it('reads header values from the environment, sends them, and adds them to the secrets to redact', async () => {
    const env = { PORTKEY_KEY: 'pk-live-abcdef0123456789', AZURE_KEY: 'az-secret-987654321' };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${NAME} syntax, not a template
    const headers = { 'x-portkey-provider': 'openai', 'x-portkey-api-key': '${PORTKEY_KEY}', 'api-key': 'key=${AZURE_KEY}' };
    const config = resolveConfig({ env, workspace: { gateway: { baseUrl: server.url, headers, retries: 0, timeoutMs: 1_000 } } });
    const chosen = createProvider('openai', config, env, {} as AgentSnapshot);
    expect(chosen.secrets).toEqual(expect.arrayContaining(['pk-live-abcdef0123456789', 'az-secret-987654321', 'key=az-secret-987654321']));
    expect(chosen.secrets).not.toContain('openai');
    server.script({ kind: 'status', status: 401, message: 'key=az-secret-987654321 is not valid for pk-live-abcdef0123456789' });
    const error = await failure(chosen.provider);
    expect(server.requests.at(-1)?.headers).toMatchObject({
      'x-portkey-provider': 'openai',
      'x-portkey-api-key': 'pk-live-abcdef0123456789',
      'api-key': 'key=az-secret-987654321',
    });
    // The provider scrubs what it knows the gateway may echo; the event log's redactor knows them too.
    expect(error.message).toContain('answered 401: key=[REDACTED] is not valid for [REDACTED]');
    expect(createRedactor({ literals: chosen.secrets }).text('sent key=az-secret-987654321')).not.toContain('az-secret');
    expect(() => createProvider('openai', config, {}, {} as AgentSnapshot)).toThrow(
      /gateway header x-portkey-api-key needs the environment variable PORTKEY_KEY/,
    );
  });

  it('honours Retry-After as an HTTP date and retry-after-ms', async () => {
    server.script({ kind: 'status', status: 429, retryAfter: new Date(Date.now() + 2_000).toUTCString() }, { kind: 'text', text: 'after the date' });
    let started = Date.now();
    expect((await call()).content).toBe('after the date');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    server.script({ kind: 'status', status: 503, retryAfterMs: 400 }, { kind: 'text', text: 'after ms' });
    started = Date.now();
    expect((await call()).content).toBe('after ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('with streaming off, asks for and reads a JSON answer', async () => {
    server.script({ kind: 'tool', name: 'lookup', args: { query: 'x' }, id: 'call_2' });
    const deltas: string[] = [];
    const response = await provider({ stream: false }).complete(request, { signal: new AbortController().signal, onDelta: (d) => deltas.push(d) });
    expect(server.requests.at(-1)?.body).toMatchObject({ stream: false });
    expect(server.requests.at(-1)?.body).not.toHaveProperty('stream_options');
    expect(response).toMatchObject({
      toolCalls: [{ id: 'call_2', name: 'lookup', arguments: { query: 'x' } }],
      usageEstimated: false,
      finishReason: 'tool_calls',
    });
    server.script({ kind: 'refusal', text: 'no.' });
    expect(await provider({ stream: false }).complete(request, { signal: new AbortController().signal })).toMatchObject({ content: 'no.', refusal: 'no.' });
  });
});
