/**
 * Any OpenAI-compatible chat-completions endpoint (LiteLLM, Portkey, OpenAI, vLLM, Ollama): streaming or
 * not, tool calls, usage, retries with jittered backoff on 429/5xx/cut streams, and a per-attempt
 * deadline that also covers a body that stops mid-stream. The API key and extra header values are sent
 * but never appear in errors or events.
 */
import { StringDecoder } from 'node:string_decoder';
import { deadline } from '../util/deadline.js';
import { retry } from '../util/retry.js';
import { type AttributionSettings, attributionWire } from './attribution.js';
import { type HttpTransport, nodeHttpTransport, warmTransport } from './http-transport.js';
import { type AttemptProgress, httpError, streamedError, transportError } from './openai-errors.js';
import { readStream } from './openai-stream.js';
import { fromCompletion, type MaxTokensParam, type OpenAICompletion, toOpenAIRequest } from './openai-wire.js';
import { ModelError, type ModelProvider, type ModelRequest, type ModelResponse } from './types.js';

export interface OpenAIOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** Extra headers on every request (e.g. Portkey's x-portkey-provider), already resolved. */
  headers?: Record<string, string> | undefined;
  /** Per attempt, from sending the request to the last byte of the answer (default 60 s). */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, for 429, 5xx, network errors, cut streams and timeouts (default 3). */
  retries?: number | undefined;
  /** The backoff ceiling of the first retry; doubles each retry, with full jitter. */
  backoffMs?: number | undefined;
  /** Stream the answer (default true); off for gateways that cannot. */
  stream?: boolean | undefined;
  maxTokensParam?: MaxTokensParam | 'auto' | undefined;
  /** Values never to show in an error, should the gateway echo them (header values from the environment). */
  secrets?: readonly string[] | undefined;
  /** Where the request's attribution goes (body fields or headers); none without it. */
  attribution?: AttributionSettings | undefined;
  /** The HTTP client (default: node:http with a shared keep-alive agent). */
  transport?: HttpTransport | undefined;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

export function createOpenAIProvider(options: OpenAIOptions): ModelProvider {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  if (!options.transport) warmTransport(url);
  return {
    name: 'openai',
    testDouble: false,
    endpoint: url,
    async complete(request, { signal, onDelta }) {
      try {
        return await retry(() => attemptOnce(url, options, request, signal, onDelta), {
          retries: options.retries ?? 3,
          baseMs: options.backoffMs ?? 500,
          signal,
          classify: (error) => (error instanceof ModelError ? error : { retryable: false }),
        });
      } catch (error) {
        if (signal.aborted) throw new ModelError('cancelled', 'cancelled', false);
        throw scrub(error instanceof ModelError ? error : new ModelError(`calling ${url} failed: ${(error as Error).message}`, 'network', false), [
          options.apiKey,
          ...(options.secrets ?? []),
        ]);
      }
    },
  };
}

async function attemptOnce(
  url: string,
  options: OpenAIOptions,
  request: ModelRequest,
  signal: AbortSignal,
  onDelta: ((text: string) => void) | undefined,
): Promise<ModelResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stream = options.stream ?? true;
  const progress: AttemptProgress = { url, timeoutMs, answered: false, chunks: 0 };
  // One deadline for the whole attempt, body included: a gateway that sends headers and then goes
  // silent must time out too. deadline() keeps its timer strongly referenced (nodejs/node#57736).
  const attempt = deadline([signal], timeoutMs);
  const attribution = attributionWire(options.attribution, request.attribution);
  try {
    const response = await (options.transport ?? nodeHttpTransport)(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
        ...attribution.headers,
        ...options.headers,
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify({ ...toOpenAIRequest(request, { stream, maxTokensParam: options.maxTokensParam ?? 'auto' }), ...attribution.body }),
      signal: attempt.signal,
    });
    progress.answered = true;
    if (!response.ok) throw await httpError(response, url);
    if (!response.body) throw new ModelError(`${url} answered ${response.status} with no body`, 'stream-dropped', true);
    // The built-in transport ends its body with the signal's reason when the deadline fires (it destroys
    // the request); a transport passed in is not trusted to, and is raced against the signal instead.
    const body = options.transport ? abortable(response.body, attempt.signal) : response.body;
    if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) return await readStream(body, request, progress, onDelta);
    const completion = await readJson(body, progress);
    if (!completion.choices && completion.error !== undefined) throw streamedError(url, completion);
    const answer = fromCompletion(completion, request, url);
    if (answer.content) onDelta?.(answer.content);
    return answer;
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw transportError(error, attempt.signal, progress);
  } finally {
    attempt.dispose();
  }
}

/** The error with every secret the gateway may have echoed (a key in a 401 body) taken out. */
function scrub(error: ModelError, secrets: readonly (string | undefined)[]): ModelError {
  const hide = (text: string) => secrets.reduce<string>((t, s) => (s && s.length >= 4 ? t.split(s).join('[REDACTED]') : t), text);
  const message = hide(error.message);
  if (message === error.message) return error;
  const clean = new ModelError(message, error.errorClass, error.retryable, error.fix);
  clean.retryAfterMs = error.retryAfterMs;
  return clean;
}

async function readJson(body: AsyncIterable<Uint8Array>, progress: AttemptProgress): Promise<OpenAICompletion> {
  // StringDecoder, not TextDecoder: a TextDecoder per answer costs an ICU converter each time.
  const decoder = new StringDecoder('utf8');
  let text = '';
  for await (const bytes of body) {
    progress.chunks++;
    text += decoder.write(bytes);
  }
  text += decoder.end();
  try {
    return JSON.parse(text) as OpenAICompletion;
  } catch {
    throw new ModelError(`${progress.url} answered with malformed JSON: ${text.slice(0, 80)}`, 'malformed', false);
  }
}

/**
 * The body's chunks, ending with the signal's reason as soon as it aborts: the deadline must not
 * depend on how (or whether) the transport ends a body that is already streaming.
 */
async function* abortable(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {}); // observed below; this only keeps an early abort from being "unhandled"
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    void iterator.return?.()?.catch(() => {});
  }
}
