/** `replay`: re-execute a recorded run against its recorded answers and say whether the outcome is the same. */
import type { RuntimeEvent } from '../../core/runtime/events.js';
import { compareOutcomes, outcomeOf } from '../../core/runtime/replay.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine } from '../present/output.js';
import { createEventPrinter } from '../present/run-events.js';
import { out } from '../present/style.js';
import { withSession } from '../session.js';

export async function replayCommand(ctx: CliContext, runId: string, options: { verify?: boolean; json?: boolean }): Promise<number> {
  return withSession(ctx, {}, async (session) => {
    const { original, stream } = session.replay(runId);
    const events: RuntimeEvent[] = [];
    const print = createEventPrinter((line) => note(ctx, line));
    let next = await stream.next();
    while (!next.done) {
      events.push(next.value);
      if (!options.json) print(next.value);
      next = await stream.next();
    }
    const finished = next.value;
    if (session.signal.aborted) return session.runExitCode(finished.status);
    const comparison = compareOutcomes(original.original, { ...outcomeOf(finished.status, finished.output, events), errorClass: finished.errorClass });
    if (options.json) printJson(ctx, { original: original.run.runId, replay: finished.runId, ...comparison });
    else if (comparison.same)
      printLine(ctx, `${out.green('✓ same outcome')} as ${original.run.runId}: ${finished.status}, same answer, same tool calls and hops`);
    else {
      printLine(ctx, out.red(`✗ the outcome differs from ${original.run.runId}:`));
      for (const d of comparison.differences) printLine(ctx, `  ${d.what}: ${JSON.stringify(d.original)} → ${JSON.stringify(d.replay)}`);
    }
    return options.verify && !comparison.same ? 1 : 0;
  });
}
