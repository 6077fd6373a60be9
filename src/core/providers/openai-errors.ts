/**
 * What went wrong talking to an OpenAI-compatible gateway, as a ModelError that says what happened and
 * where: HTTP errors in any body shape, errors sent inside a 200 stream, cut streams, timeouts, an
 * unreachable host. Messages carry the URL and the gateway's words, never the key or header values.
 */
import { isDeadline } from '../util/deadline.js';
import { parseRetryAfter } from '../util/retry.js';
import type { HttpResponse } from './http-transport.js';
import { ModelError } from './types.js';

const KEY_FIX = 'check the API key: the environment variable named by gateway.apiKeyEnv (and gateway.headers, if the gateway wants its own)';

/** "60 s" from 1 s up, "250 ms" below. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}

/** The gateway's message from an error body of any common shape, or the body itself, shortened. */
export function errorDetail(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    return shorten(trimmed);
  }
  return shorten(messageOf(body) ?? trimmed);
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body || undefined;
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  // {"error":{"message"}} (OpenAI), {"error":"…"}, {"message"}, {"detail"} (FastAPI), {"status":"failure","message"} (Portkey)
  for (const key of ['error', 'message', 'detail', 'error_description', 'msg']) {
    const found = messageOf(b[key]);
    if (found) return found;
  }
  return undefined;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

/** Classifies a failure with an HTTP status, from a response or from an error inside a stream. */
export function statusError(status: number | undefined, what: string): ModelError {
  if (status === 429) return new ModelError(what, 'rate-limit', true);
  if (status === 401 || status === 403) return new ModelError(what, 'auth', false, KEY_FIX);
  if (status === 408) return new ModelError(what, 'timeout', true);
  if (status !== undefined && status >= 400 && status < 500) return new ModelError(what, 'bad-request', false);
  // A 5xx, or an error that carries no status at all: the gateway's side failed, worth another try.
  return new ModelError(what, 'server', true);
}

export async function httpError(response: HttpResponse, url: string): Promise<ModelError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // the body never came: the status still says enough
  }
  const detail = errorDetail(text);
  const error = statusError(response.status, `${url} answered ${response.status}${detail ? `: ${detail}` : ''}`);
  if (error.retryable) error.retryAfterMs = parseRetryAfter(response.headers);
  return error;
}

/** An `{"error": …}` object the gateway sent inside a 200 stream (e.g. the upstream provider failed mid-way). */
export function streamedError(url: string, payload: unknown): ModelError {
  const error = (payload as { error?: unknown }).error ?? payload;
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const status = [e.status, e.code, e.status_code, e.http_status].map(Number).find((n) => Number.isInteger(n) && n >= 400 && n < 600);
  const detail = messageOf(error) ?? shorten(JSON.stringify(error));
  return statusError(status, `${url} sent an error inside its stream${status ? ` (${status})` : ''}: ${detail}`);
}

/**
 * A failure of the request or of reading the body. Once the headers have arrived the stream was cut, which is not the same as a gateway that is not there.
 */
export interface AttemptProgress {
  url: string;
  timeoutMs: number;
  /** The response's headers arrived: the gateway is there. */
  answered: boolean;
  /** Body chunks received so far. */
  chunks: number;
}

export function transportError(error: unknown, signal: AbortSignal, attempt: AttemptProgress): ModelError {
  const reason = signal.aborted ? signal.reason : undefined;
  if (isDeadline(reason) || isDeadline(error)) {
    const stalled = attempt.answered ? ` (the answer stalled after ${chunks(attempt.chunks)})` : '';
    return new ModelError(
      `no answer from ${attempt.url} in ${formatDuration(attempt.timeoutMs)}${stalled}`,
      'timeout',
      true,
      'raise gateway.timeoutMs in .agentctl/config.yaml if the model is slow, or check the gateway',
    );
  }
  if (signal.aborted) return new ModelError('cancelled', 'cancelled', false);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  if (attempt.answered) {
    return new ModelError(
      `the stream from ${attempt.url} was cut after ${chunks(attempt.chunks)}${why ? ` (${why})` : ''}`,
      'stream-dropped',
      true,
      'the gateway or a proxy in between closed the connection mid-answer; check its logs and idle timeouts',
    );
  }
  return new ModelError(`cannot reach ${attempt.url}${why ? ` (${why})` : ''}`, 'network', true, 'is the gateway running? check gateway.baseUrl');
}

const chunks = (n: number) => `${n} chunk${n === 1 ? '' : 's'}`;
