/** `eval`: run an agent's sample set (or every agent's), compare with the baseline, write reports, gate (./eval-run.ts). */
import { loadCommand } from '../command-bundle.js';
import type { CliContext } from '../context.js';
import { flatHeapForStreaming } from '../streaming-heap.js';
import type { EvalCommandOptions } from './eval-run.js';

export async function evalCommand(ctx: CliContext, ref: string | undefined, options: EvalCommandOptions): Promise<number> {
  // Before the bundle is compiled, not in the session as other streaming commands do: V8 keeps a code cache only
  // for the flags it was made under, and this one, set after compiling, made every start miss the cache.
  flatHeapForStreaming();
  const command = await loadCommand('eval', () => import('./eval-run.js'));
  try {
    return await command.exports.evalCommand(ctx, ref, options);
  } finally {
    // After the run, so the cache holds what an eval compiles (specs, the runner, the provider), not only its start.
    command.save();
  }
}
