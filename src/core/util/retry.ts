/**
 * The one retry helper: exponential backoff with full jitter (a random wait between 0 and the
 * doubled base, so clients that failed together do not come back together), a server's Retry-After
 * honoured up to a cap, and never a wait past the caller's signal.
 */
import { sleep } from './sleep.js';

export interface RetryOptions {
  /** Retries after the first attempt. */
  retries: number;
  /** The backoff ceiling of the first retry; it doubles each retry. */
  baseMs: number;
  /** No single wait is longer than this, whatever the server asks (default 30 s). */
  capMs?: number;
  signal: AbortSignal;
  /** Whether a failure is worth another attempt, and how long the server asked to wait. */
  classify(error: unknown): { retryable: boolean; retryAfterMs?: number | undefined };
  /** For tests: a number in [0, 1). */
  random?: () => number;
}

export const DEFAULT_RETRY_CAP_MS = 30_000;

/** Full jitter: uniform in [0, min(cap, base·2^attempt)]. */
export function backoffMs(attempt: number, baseMs: number, capMs = DEFAULT_RETRY_CAP_MS, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * The wait a server asked for: `retry-after-ms` (milliseconds), else `Retry-After` as seconds or an
 * HTTP date. Undefined when neither header says anything usable.
 */
export function parseRetryAfter(headers: Pick<Headers, 'get'>, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Runs `attempt` until it succeeds, a failure is not retryable, the retries run out or the signal aborts. */
export async function retry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const cap = options.capMs ?? DEFAULT_RETRY_CAP_MS;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const { retryable, retryAfterMs } = options.classify(error);
      if (!retryable || n >= options.retries || options.signal.aborted) throw error;
      const wait = retryAfterMs !== undefined ? Math.min(retryAfterMs, cap) : backoffMs(n, options.baseMs, cap, options.random);
      await sleep(wait, options.signal);
      if (options.signal.aborted) throw error;
    }
  }
}
