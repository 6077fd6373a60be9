/** Opens the command's session (see core/session), runs `fn`, and closes it whatever happens. */
import { translateSqliteError } from '../core/registry/db.js';
import { AgentSession, type SessionOptions } from '../core/session/session.js';
import type { CliContext } from './context.js';
import { note } from './present/output.js';
import { err } from './present/style.js';
import { flatHeapForStreaming } from './streaming-heap.js';

export async function withSession<T>(
  ctx: CliContext,
  options: Omit<SessionOptions, 'cwd' | 'flags' | 'env' | 'trapSignals'>,
  fn: (session: AgentSession) => Promise<T>,
): Promise<T> {
  // Commits on a timer: an eval's session, which streams its samples.
  if (options.commitRunEnds === false) flatHeapForStreaming();
  const session = AgentSession.open({ ...options, cwd: ctx.cwd, flags: ctx.flags, env: ctx.env, trapSignals: true });
  try {
    return await fn(session);
  } catch (error) {
    throw translateSqliteError(error, session.registry.path);
  } finally {
    // The run's traces go out before the registry closes (waiting at most the OTLP timeout); never fails the command.
    for (const warning of await session.finishTelemetry().catch(() => [])) note(ctx, err.yellow(`warning: ${warning}`));
    session.close();
  }
}
