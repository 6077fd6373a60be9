/** `playground`: the Ink TUI over a session (core builds the controller the TUI calls). */
import { UsageError } from '../../core/errors.js';
import { loadCommand } from '../command-bundle.js';
import type { CliContext } from '../context.js';
import type { PlaygroundOptions } from './playground-run.js';

type Run = typeof import('./playground-run.js');

export async function playgroundCommand(ctx: CliContext, ref: string | undefined, options: PlaygroundOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError('the playground needs an interactive terminal (stdin and stdout a TTY)', {
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

/** From its bundle (see ../command-bundle.ts); the cache is written after the first frame, so it also holds the functions that frame compiled. */
async function load(): Promise<{ run: Run; firstFrame: () => void }> {
  const command = await loadCommand('playground', () => import('./playground-run.js'));
  return { run: command.exports, firstFrame: command.save };
}
