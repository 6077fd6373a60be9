/**
 * Waits `ms`, or less when `signal` aborts first (it resolves either way: the caller checks the signal).
 * The abort listener is removed when the timer fires, so a long-lived signal does not collect one
 * listener per call (MaxListenersExceededWarning).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
