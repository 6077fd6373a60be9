/**
 * The registry client's transport: one attempt (the request and its whole answer) under a deadline that
 * fires on Node 20, linked to the caller's cancel; and the retries around attempts. Errors name the URL
 * and never the credentials.
 */
import { EnvironmentError } from '../errors.js';
import { deadline } from '../util/deadline.js';
import { parseRetryAfter, retry } from '../util/retry.js';

export const DEFAULT_REGISTRY_TIMEOUT_MS = 60_000;

/** An answer read to its last byte (HEAD answers have an empty body). */
export interface Reply {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface AttemptOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The remote's URL as the user wrote it, for the error's `where`. */
  remote: string;
}

/**
 * Sends one request and reads its whole answer under one deadline of `timeoutMs`, so a registry that
 * sends headers and then stalls the body is caught as surely as one that never answers. A fired
 * deadline is an `EnvironmentError` (code remote-timeout) naming the URL and the time; the caller's
 * cancel rethrows the signal's reason; anything else is remote-unreachable.
 */
export async function fetchReply(url: string, init: RequestInit, options: AttemptOptions): Promise<Reply> {
  const d = deadline([options.signal], options.timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal: d.signal });
    const body = init.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    if (d.timedOut) throw noAnswer(url, options.timeoutMs, options.remote);
    if (options.signal?.aborted) throw options.signal.reason;
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new EnvironmentError(`cannot reach the registry ${options.remote} (${cause})`, {
      where: options.remote,
      fix: 'check that it is running and the URL (agentctl remote ls); nothing was tagged, so the push can simply be run again',
      code: 'remote-unreachable',
    });
  } finally {
    d.dispose();
  }
}

/**
 * Runs `attempt` again after a dropped connection, a 429 or a 5xx (honouring Retry-After), up to
 * `retries` times; the last 429/5xx answer is returned for the caller to report. A timed-out attempt is
 * NOT retried: a registry that said nothing for `timeoutMs` costs one `timeoutMs`, not one per retry.
 * Bound: (retries + 1) attempts, each under `timeoutMs`, plus the backoff waits between them (each at
 * most min(30 s, baseMs·2^n)); a cancel ends the waits and the attempt in flight at once.
 */
export async function withRetries(
  attempt: () => Promise<Reply>,
  options: { retries: number; baseMs: number; signal?: AbortSignal | undefined },
): Promise<Reply> {
  const signal = options.signal ?? new AbortController().signal;
  try {
    return await retry(
      async () => {
        const reply = await attempt();
        if (reply.status === 429 || reply.status >= 500) throw new RetryableStatus(reply);
        return reply;
      },
      {
        retries: options.retries,
        baseMs: options.baseMs,
        signal,
        classify: (error) =>
          error instanceof RetryableStatus
            ? { retryable: true, retryAfterMs: parseRetryAfter(error.reply.headers) }
            : { retryable: error instanceof EnvironmentError && error.code === 'remote-unreachable' },
      },
    );
  } catch (error) {
    // A cancel wins over whatever the interrupted attempt reported.
    if (signal.aborted) throw signal.reason;
    if (error instanceof RetryableStatus) return error.reply;
    throw error;
  }
}

/** A 429 or 5xx answer, thrown only so the retry helper sees it. */
class RetryableStatus extends Error {
  constructor(readonly reply: Reply) {
    super(`answered ${reply.status}`);
  }
}

/** A deadline that fired: names the URL (without its query, which may hold upload state) and the time. */
function noAnswer(url: string, ms: number, remote: string): EnvironmentError {
  const shown = url.split('?')[0] ?? url;
  return new EnvironmentError(`no answer from ${shown} in ${ms / 1000} s`, {
    where: remote,
    fix: `check that the registry ${remote} is up and reachable, or give it longer (AGENTCTL_REGISTRY_TIMEOUT_MS=${Math.max(ms * 2, DEFAULT_REGISTRY_TIMEOUT_MS)}); nothing is tagged until every blob is up, so a push can simply be run again`,
    code: 'remote-timeout',
  });
}
