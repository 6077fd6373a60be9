import type { RuntimeEvent } from '../../core/runtime/events.js';
import { executeRun } from '../../core/runtime/execute.js';
import { compareOutcomes, loadReplay, outcomeOf } from '../../core/runtime/replay.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine } from '../present/output.js';
import { createEventPrinter } from '../present/run-events.js';
import { out } from '../present/style.js';
import { actorOf, writeRegistry } from '../workspace.js';

export async function replayCommand(ctx: CliContext, runId: string, options: { verify?: boolean; json?: boolean }): Promise<number> {
  return writeRegistry(ctx, async (registry, workspace) => {
    const replay = loadReplay(registry, runId);
    const events: RuntimeEvent[] = [];
    const print = createEventPrinter((line) => note(ctx, line));
    const stream = executeRun({
      registry,
      agent: replay.snapshot,
      input: replay.run.input,
      provider: replay.provider,
      tools: replay.tools,
      mode: replay.run.mode as 'dry' | 'live',
      model: replay.run.model,
      prices: workspace.config.prices,
      actor: actorOf(workspace),
      sessionId: replay.run.sessionId,
      replayOf: replay.run.runId,
    });
    for (;;) {
      const next = await stream.next();
      if (next.done) break;
      events.push(next.value);
      if (!options.json) print(next.value);
    }
    const finished = events.at(-1) as Extract<RuntimeEvent, { type: 'run.finished' }>;
    const comparison = compareOutcomes(replay.original, { ...outcomeOf(finished.status, finished.output, events), errorClass: finished.errorClass });
    if (options.json) printJson(ctx, { original: replay.run.runId, replay: finished.runId, ...comparison });
    else if (comparison.same)
      printLine(ctx, `${out.green('✓ same outcome')} as ${replay.run.runId}: ${finished.status}, same answer, same tool calls and hops`);
    else {
      printLine(ctx, out.red(`✗ the outcome differs from ${replay.run.runId}:`));
      for (const d of comparison.differences) printLine(ctx, `  ${d.what}: ${JSON.stringify(d.original)} → ${JSON.stringify(d.replay)}`);
    }
    return options.verify && !comparison.same ? 1 : 0;
  });
}
