/** `playground`: the Ink TUI over a session (core builds the controller the TUI calls). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as errors from '../../core/errors.js';
import { runCachedScript } from '../code-cache.js';
import type { CliContext } from '../context.js';
import type { PlaygroundOptions } from './playground-run.js';

type Run = typeof import('./playground-run.js');

export async function playgroundCommand(ctx: CliContext, ref: string | undefined, options: PlaygroundOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new errors.UsageError('the playground needs an interactive terminal (stdin and stdout a TTY)', {
      fix: `for plain output use: agentctl run ${ref ?? '<agent>'} -i "…" (add --json for a record)`,
      code: 'no-tty',
    });
  }
  // Ink draws nothing but the last frame when it thinks it runs in CI, and decides so when its module loads;
  // the playground has a real terminal (checked above), so it must draw live even where CI is set.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { run, firstFrame } = await load();
  return run.runPlayground(ctx, ref, options, firstFrame);
}

/**
 * The playground with everything it imports (session, core, Ink, React) is one script, dist/cli/playground.js,
 * compiled with a V8 code cache (src/cli/code-cache.ts): Node 20 caches no compiled code for ES modules, and
 * compiling and linking its ~50 modules was most of the first frame. The cache is written after the first
 * frame, so it also holds the functions that frame compiled. Without the bundle (running from source), the
 * ES module.
 */
async function load(): Promise<{ run: Run; firstFrame: () => void }> {
  const bundle = fileURLToPath(new URL('../cli/playground.js', import.meta.url)); // from dist/chunks/
  if (!existsSync(bundle)) return { run: await import('./playground-run.js'), firstFrame: () => {} };
  // Shared with the rest of the CLI, not copied: main reports an AgentctlError by `instanceof`, and a module
  // tool is imported by the CLI's own loader: import() in a vm.Script compiled without importModuleDynamically
  // throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, code cache or not.
  const inject = { errors, importModule: (specifier: string) => import(specifier) };
  const script = await runCachedScript<Run>(bundle, undefined, inject);
  return { run: script.exports, firstFrame: () => script.save() };
}
