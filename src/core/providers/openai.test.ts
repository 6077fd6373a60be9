import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/support/fake-openai.js';
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

  it('reports an endpoint that is down', async () => {
    const error = await failure(createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1', retries: 1, backoffMs: 1 }));
    expect(error).toMatchObject({ errorClass: 'network' });
    expect(error.message).toContain('cannot reach');
    expect(error).toBeInstanceOf(ModelError);
  });
});
