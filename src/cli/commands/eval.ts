/** `eval`: run an agent's sample set (or every agent's), compare with the baseline, write reports, gate (./eval-run.ts). */
import { loadCommand } from '../command-bundle.js';
import type { CliContext } from '../context.js';
import { flatHeapForStreaming } from '../streaming-heap.js';
import type { EvalCommandOptions } from './eval-run.js';

export async function evalCommand(ctx: CliContext, ref: string | undefined, options: EvalCommandOptions): Promise<number> {
  // Before the bundle is compiled (the session sets it again, to the same value): V8 keeps a code cache only for
  // the flags it was made under, and this one, first set after compiling, made every start miss the cache.
  flatHeapForStreaming();
  const command = await loadCommand('eval', () => import('./eval-run.js'));
  let saved = false;
  // At the first result, so the cache holds what an eval compiles (specs, the runner, the provider), not only its
  // start: not after an eval that failed before running a sample (a cache is never rewritten once it hits), nor
  // at the end of a long one, by when V8 may have dropped the bytecode of what ran only at the start.
  const firstResult = () => {
    if (saved) return;
    saved = true;
    command.save();
  };
  return command.exports.evalCommand(ctx, ref, options, { firstResult });
}
