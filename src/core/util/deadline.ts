/**
 * Deadlines and linked cancellation that fire on Node 20.
 *
 * `AbortSignal.any([signal, AbortSignal.timeout(ms)])` can lose its timer to garbage collection on
 * Node 20 (nodejs/node#57736): the composite signal is only weakly held, so a request that never
 * answers can outlive its deadline for ever. Here the timer is an ordinary `setTimeout` whose closure
 * holds the controller strongly, and every listener on a parent signal is removed by `dispose()`, so
 * long-lived signals (a whole eval's) do not collect one listener per call.
 */

/** Why a deadline fired: callers tell a timeout apart from a user's cancel by this class. */
export class DeadlineError extends Error {
  constructor(
    message: string,
    readonly ms: number,
  ) {
    super(message);
    this.name = 'TimeoutError';
  }
}

export interface Deadline {
  /** Aborts when the time is up or any parent aborts. */
  readonly signal: AbortSignal;
  /** True once the timer (not a parent) aborted the signal. */
  readonly timedOut: boolean;
  /** Clears the timer and the parent listeners; call it when the guarded work is done. */
  dispose(): void;
}

/**
 * A signal that aborts after `ms` (when finite) or when any of `parents` aborts. `describe` gives the
 * message of the timeout's reason (e.g. "no answer from http://… in 60 s").
 */
export function deadline(parents: readonly (AbortSignal | undefined)[], ms: number, describe?: () => string): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const listeners: [AbortSignal, () => void][] = [];
  const dispose = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const [signal, listener] of listeners.splice(0)) signal.removeEventListener('abort', listener);
  };
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    const listener = () => {
      dispose();
      controller.abort(parent.reason);
    };
    parent.addEventListener('abort', listener, { once: true });
    listeners.push([parent, listener]);
  }
  if (!controller.signal.aborted && Number.isFinite(ms)) {
    timer = setTimeout(
      () => {
        timedOut = true;
        dispose();
        controller.abort(new DeadlineError(describe?.() ?? `no answer within ${ms} ms`, ms));
      },
      Math.max(0, ms),
    );
  } else if (controller.signal.aborted) dispose();
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose,
  };
}

/** Runs `fn` with a deadline signal and always disposes it. */
export async function withDeadline<T>(
  parents: readonly (AbortSignal | undefined)[],
  ms: number,
  fn: (signal: AbortSignal, d: Deadline) => Promise<T>,
  describe?: () => string,
): Promise<T> {
  const d = deadline(parents, ms, describe);
  try {
    return await fn(d.signal, d);
  } finally {
    d.dispose();
  }
}

/** True when `error` (or the signal's reason) is a fired deadline rather than a cancel. */
export function isDeadline(error: unknown): error is DeadlineError {
  return error instanceof DeadlineError;
}
