/**
 * The playground once the terminal is known to be interactive: the session, the controller core builds, and
 * the Ink TUI over them. Built as one script with its whole import graph (scripts/build-command-bundle.mjs)
 * and run by ./playground.ts with a V8 code cache.
 */
import { UsageError } from '../../core/errors.js';
import { createPlaygroundController, startingAgent } from '../../core/session/playground.js';
import { startPlayground } from '../../tui/playground/index.js';
import type { CliContext } from '../context.js';
import { withSession } from '../session.js';

export interface PlaygroundOptions {
  provider?: string;
  model?: string;
  trustCode?: boolean;
}

/** `firstFrame` is called once the first frame is on the terminal. */
export async function runPlayground(ctx: CliContext, ref: string | undefined, options: PlaygroundOptions, firstFrame: () => void): Promise<number> {
  // React runs its production build: scripts/build.mjs defines process.env.NODE_ENV as "production" for
  // the bundle (the development build manages ~40 events/s where the playground needs ~1,000).
  return withSession(ctx, { provider: options.provider, model: options.model, trustCode: options.trustCode }, async (session) => {
    // Ctrl-C belongs to the TUI (cancel the turn, or quit): the session must not turn it into an abort of everything.
    session.cancellation.dispose();
    const first = ref ?? startingAgent(session);
    if (!first) throw new UsageError('no agent in this workspace yet', { fix: 'agentctl new agent <name>' });
    const { controller, info } = createPlaygroundController(session, session.resolve(first));
    // Ink's render draws the first frame synchronously: what is scheduled now runs after it is on screen.
    setImmediate(firstFrame);
    await startPlayground(controller, info);
    return 0;
  });
}
