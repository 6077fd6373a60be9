/** `eval`: run an agent's sample set (or every agent's), compare with the baseline, write reports, gate (./eval-run.ts). */
import { loadCommand } from '../command-bundle.js';
import type { CliContext } from '../context.js';
import { flatHeapForStreaming } from '../streaming-heap.js';
import type { EvalCommandOptions } from './eval-run.js';

export async function evalCommand(ctx: CliContext, ref: string | undefined, options: EvalCommandOptions): Promise<number> {
  const command = await loadCommand('eval', () => import('./eval-run.js'));
  let saved = false;
  // At the first result, so the cache holds what an eval compiles (specs, the runner, the provider), not only its
  // start: not after an eval that failed before running a sample (a cache is never rewritten once it hits), nor
  // at the end of a long one, by when V8 may have dropped the bytecode of what ran only at the start.
  // The streaming heap is turned on just after: the cache is stamped with the flags it was made under, and V8 refuses
  // it under others (../streaming-heap.ts). Set before the bundle is compiled, it cost every built-in module loaded
  // later (node:http, the write thread's) Node's own cache; set between compiling and saving, every start missed ours.
  const firstResult = () => {
    if (saved) return;
    saved = true;
    command.save();
    flatHeapForStreaming();
  };
  return command.exports.evalCommand(ctx, ref, options, { firstResult });
}
