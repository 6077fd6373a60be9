/**
 * Sessions across commands: `run --session ID` continues a conversation. Its earlier turns (each run's
 * input and the answer it gave) come back from the event log, oldest first, and go into the context,
 * where the optimizer trims the oldest first when the budget is short.
 */
import { UsageError } from '../errors.js';
import type { RunStore } from '../events/run-store.js';
import type { ChatMessage } from '../providers/types.js';

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The earlier turns of `sessionId` (none for a new session); a session belongs to one agent. */
export function continueSession(runs: RunStore, sessionId: string, agent: string): ChatMessage[] {
  if (!SESSION_ID.test(sessionId)) {
    throw new UsageError(`"${sessionId}" is not a session id`, {
      fix: 'letters, digits, ".", "_", ":" or "-", starting with a letter or digit, at most 128 characters (e.g. --session s1)',
    });
  }
  const session = runs.session(sessionId);
  if (!session) return [];
  if (session.agent !== agent) {
    throw new UsageError(`session ${sessionId} is a conversation with ${session.agent}, not ${agent}`, {
      fix: `continue it with agentctl run ${session.agent} --session ${sessionId}, or start another: --session <new id>`,
    });
  }
  return runs
    .sessionTurns(sessionId)
    .flatMap((turn) => [
      { role: 'user' as const, content: turn.input },
      ...(turn.output !== null ? [{ role: 'assistant' as const, content: turn.output }] : []),
    ]);
}
