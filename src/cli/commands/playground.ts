/** `playground`: the Ink TUI over a session (core builds the controller the TUI calls). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors.js';
import { createPlaygroundController, startingAgent } from '../../core/session/playground.js';
import { runCachedScript } from '../code-cache.js';
import type { CliContext } from '../context.js';
import { withSession } from '../session.js';

type Tui = typeof import('../../tui/playground/index.js');

export async function playgroundCommand(
  ctx: CliContext,
  ref: string | undefined,
  options: { provider?: string; model?: string; trustCode?: boolean },
): Promise<number> {
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
  // Ink and React take the longest to load: their loading starts now, so Yoga's wasm compile (off the main
  // thread) overlaps the session's SQLite and spec work instead of following it.
  const tui = loadTui();
  tui.catch(() => {}); // awaited below; a session that fails first must not leave it unhandled
  // React runs its production build: scripts/build.mjs defines process.env.NODE_ENV as "production" for
  // the bundle (the development build manages ~40 events/s where the playground needs ~1,000).
  return withSession(ctx, { provider: options.provider, model: options.model, trustCode: options.trustCode }, async (session) => {
    // Ctrl-C belongs to the TUI (cancel the turn, or quit): the session must not turn it into an abort of everything.
    session.cancellation.dispose();
    const first = ref ?? startingAgent(session);
    if (!first) throw new UsageError('no agent in this workspace yet', { fix: 'agentctl new agent <name>' });
    const { controller, info } = createPlaygroundController(session, session.resolve(first));
    const { exports, save } = await tui;
    // The code cache is written once the first frame is on screen (render draws it synchronously), and then
    // holds the functions that frame compiled: the next start compiles none of them.
    setImmediate(save);
    await exports.startPlayground(controller, info);
    return 0;
  });
}

/**
 * The TUI from dist/tui/playground.js, compiled with a V8 code cache (see src/cli/code-cache.ts); from
 * the ES module when that file is absent (running from source, where there is no bundle).
 */
async function loadTui(): Promise<{ exports: Tui; save: () => void }> {
  const bundle = fileURLToPath(new URL('../tui/playground.js', import.meta.url));
  if (existsSync(bundle)) {
    const script = await runCachedScript<Tui>(bundle);
    return { exports: script.exports, save: () => script.save() };
  }
  return { exports: await import('../../tui/playground/index.js'), save: () => {} };
}
