/** `feedback <run> --good|--bad [--note …]`: rate a run, as the acting user and team. */
import { UsageError } from '../../core/errors.js';
import { recordFeedback } from '../../core/events/feedback-store.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { signingActorOf, writeRegistry } from '../workspace.js';

export async function feedbackCommand(
  ctx: CliContext,
  run: string,
  options: { good?: boolean; bad?: boolean; note?: string; json?: boolean },
): Promise<number> {
  if (Boolean(options.good) === Boolean(options.bad))
    throw new UsageError(options.good ? 'a run is rated --good or --bad, not both' : 'good or bad?', {
      fix: `agentctl feedback ${run} --good   (or --bad, with --note "why")`,
    });
  const rating = options.good ? 'good' : 'bad';
  const record = writeRegistry(ctx, (registry, workspace) =>
    recordFeedback(registry, { run, rating, note: options.note, actor: signingActorOf(ctx, workspace) }),
  );
  if (options.json) {
    printJson(ctx, record);
    return 0;
  }
  const mark = rating === 'good' ? out.green('good') : out.red('bad');
  printLine(
    ctx,
    `rated run ${record.runId} (${record.agent}@${record.version}) ${mark} as ${record.actor} (${record.team})${record.note ? `: ${record.note}` : ''}`,
  );
  nextStep(
    ctx,
    `agentctl samples add ${record.agent} --from-run ${record.runId}`,
    rating === 'bad' ? 'keep it as an eval sample, then fix the agent until it passes' : 'keep this answer as an eval sample',
  );
  return 0;
}
