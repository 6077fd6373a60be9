/**
 * The one outcome → exit-code table. 0: what was checked holds; 1: it does not (an invalid spec, a run
 * that failed or needs a human or was answered by a fallback rule, a failed eval gate, a refused gate);
 * 2: usage; 3: environment; 130 / 143: stopped by Ctrl-C / SIGTERM (what finished is kept).
 */
import type { RunFinished } from '../runtime/runtime.js';
import { SIGNAL_EXIT_CODES, type StopSignal } from './cancel.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

export function runExitCode(status: RunFinished['status'], stoppedBy: StopSignal | undefined): number {
  if (stoppedBy) return SIGNAL_EXIT_CODES[stoppedBy];
  switch (status) {
    case 'succeeded':
      return EXIT.ok;
    case 'failed':
    case 'needs-human':
      return EXIT.failed;
    case 'cancelled':
      return SIGNAL_EXIT_CODES.SIGINT;
  }
}

export function evalExitCode(gatePassed: boolean, partial: boolean, stoppedBy: StopSignal | undefined): number {
  if (stoppedBy) return SIGNAL_EXIT_CODES[stoppedBy];
  if (partial) return EXIT.failed;
  return gatePassed ? EXIT.ok : EXIT.failed;
}
