/**
 * Cancellation for a whole command: SIGINT and SIGTERM become one abort signal, and the signal that
 * stopped the command decides its exit code (130 for Ctrl-C, 143 for SIGTERM, as shells report them).
 * A second signal while the command is winding down ends the process at once.
 */

import { setMaxListeners } from 'node:events';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface Cancellation {
  readonly signal: AbortSignal;
  /** Which signal stopped the command, if one did. */
  readonly stoppedBy: StopSignal | undefined;
  /** Cancels as if the user had pressed Ctrl-C (the playground's ^C on a running turn uses its own). */
  cancel(by?: StopSignal): void;
  /** Removes the process handlers. */
  dispose(): void;
}

export const SIGNAL_EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** Traps SIGINT and SIGTERM while the command runs; without `trap` (tests, the library) it only cancels on demand. */
export function createCancellation(options: { trap?: boolean; process?: NodeJS.Process } = {}): Cancellation {
  const proc = options.process ?? process;
  const controller = new AbortController();
  // Every sample and call in flight listens to this one signal (an eval at --concurrency 64 has
  // dozens): that is the design, not a leak, so Node's "11 listeners" warning must not print.
  setMaxListeners(0, controller.signal);
  let stoppedBy: StopSignal | undefined;
  const cancel = (by: StopSignal = 'SIGINT') => {
    if (controller.signal.aborted) return;
    stoppedBy = by;
    controller.abort(new CancelledError(by));
  };
  const handlers: [StopSignal, () => void][] = (['SIGINT', 'SIGTERM'] as const).map((name) => [
    name,
    () => {
      // The first signal asks the work to stop and keep what finished; a second one does not wait.
      if (controller.signal.aborted) proc.exit(SIGNAL_EXIT_CODES[stoppedBy ?? name]);
      cancel(name);
    },
  ]);
  if (options.trap) for (const [name, handler] of handlers) proc.on(name, handler);
  return {
    signal: controller.signal,
    get stoppedBy() {
      return stoppedBy;
    },
    cancel,
    dispose() {
      if (options.trap) for (const [name, handler] of handlers) proc.off(name, handler);
    },
  };
}

export class CancelledError extends Error {
  constructor(readonly by: StopSignal) {
    super(by === 'SIGTERM' ? 'terminated (SIGTERM)' : 'cancelled (Ctrl-C)');
    this.name = 'AbortError';
  }
}
