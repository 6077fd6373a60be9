/** `playground`: the Ink TUI over a session (core builds the controller the TUI calls). */
import { UsageError } from '../../core/errors.js';
import { createPlaygroundController, startingAgent } from '../../core/session/playground.js';
import type { CliContext } from '../context.js';
import { withSession } from '../session.js';

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
  // Ink and React take the longest to load: their import starts now, so its file reads and Yoga's wasm
  // compile (off the main thread) overlap the session's SQLite and spec work instead of following it.
  const tui = import('../../tui/playground/index.js');
  tui.catch(() => {}); // awaited below; a session that fails first must not leave it unhandled
  // React runs its production build: scripts/build.mjs defines process.env.NODE_ENV as "production" for
  // the bundle (the development build manages ~40 events/s where the playground needs ~1,000).
  return withSession(ctx, { provider: options.provider, model: options.model, trustCode: options.trustCode }, async (session) => {
    // Ctrl-C belongs to the TUI (cancel the turn, or quit): the session must not turn it into an abort of everything.
    session.cancellation.dispose();
    const first = ref ?? startingAgent(session);
    if (!first) throw new UsageError('no agent in this workspace yet', { fix: 'agentctl new agent <name>' });
    const { controller, info } = createPlaygroundController(session, session.resolve(first));
    const { startPlayground } = await tui;
    await startPlayground(controller, info);
    return 0;
  });
}
