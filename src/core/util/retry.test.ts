import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter, retry } from './retry.js';

describe('retry', () => {
  it('reads retry-after-ms, Retry-After seconds and an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }), now)).toBe(3_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now)).toBe(5_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });

  it('jitters the whole backoff window and caps it', () => {
    expect(backoffMs(3, 100, 30_000, () => 0.5)).toBe(400);
    expect(backoffMs(20, 100, 1_000, () => 0.999)).toBe(999);
    expect(backoffMs(2, 100, 30_000, () => 0)).toBe(0);
  });

  it('caps a Retry-After wait and stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    let attempts = 0;
    const failing = retry(
      async () => {
        attempts++;
        throw new Error('busy');
      },
      { retries: 5, baseMs: 1, signal: controller.signal, classify: () => ({ retryable: true, retryAfterMs: 3_600_000 }) },
    );
    await expect(failing).rejects.toThrow('busy');
    expect(attempts).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('does not retry what is not retryable, and retries what is', async () => {
    let attempts = 0;
    const signal = new AbortController().signal;
    await expect(
      retry(
        async () => {
          attempts++;
          throw new Error('no');
        },
        { retries: 3, baseMs: 1, signal, classify: () => ({ retryable: false }) },
      ),
    ).rejects.toThrow('no');
    expect(attempts).toBe(1);
    expect(
      await retry(async (n) => (n < 2 ? Promise.reject(new Error('again')) : 'done'), { retries: 3, baseMs: 1, signal, classify: () => ({ retryable: true }) }),
    ).toBe('done');
  });
});
