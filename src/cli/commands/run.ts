/** `run`: one run of an agent — answer on stdout, each step on stderr, everything in the event log. */
import { UsageError } from '../../core/errors.js';
import { modelErrorSummary } from '../../core/eval/runner.js';
import { afterRun } from '../../core/release/next.js';
import type { RunFinished } from '../../core/runtime/runtime.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine } from '../present/output.js';
import { announceResolved } from '../present/resolved.js';
import { createEventPrinter } from '../present/run-events.js';
import { err } from '../present/style.js';
import { withSession } from '../session.js';

export interface RunCommandOptions {
  input?: string;
  provider?: string;
  model?: string;
  record?: boolean;
  live?: boolean;
  trustCode?: boolean;
  session?: string;
  json?: boolean;
}

export async function runCommand(ctx: CliContext, ref: string, options: RunCommandOptions): Promise<number> {
  const input = options.input ?? (await readStdin());
  if (!input.trim())
    throw new UsageError('no input for the run', { fix: `agentctl run ${ref} -i "your question", or pipe it: echo "…" | agentctl run ${ref}` });
  const provider = options.provider ?? (options.record ? 'openai' : undefined);
  return withSession(ctx, { provider, model: options.model, trustCode: options.trustCode }, async (session) => {
    const agent = session.resolve(ref);
    if (options.record && agent.source !== 'workspace') {
      throw new UsageError('--record writes to the cassette files of the workspace copy', {
        fix: `run the workspace copy: agentctl run ${agent.name} --record`,
      });
    }
    if (!options.json) announceResolved(ctx, ref, agent);
    const binding = session.bind(agent);
    const print = createEventPrinter((line) => note(ctx, line));
    const stream = session.run(binding, { input, sessionId: options.session, live: options.live, record: options.record });
    let next = await stream.next();
    while (!next.done) {
      if (!options.json) print(next.value);
      next = await stream.next();
    }
    const result = next.value;
    if (options.json) {
      printJson(ctx, {
        ...result,
        agent: agent.name,
        version: agent.version,
        digest: agent.digest,
        source: agent.source,
        provider: binding.provider.name,
        model: binding.model,
      });
    } else {
      const verdict = fallbackNote(result);
      if (verdict) note(ctx, verdict);
      if (result.output !== null) printLine(ctx, result.output);
      nextStep(ctx, ...afterRun(result, agent.name));
    }
    return session.runExitCode(result.status);
  });
}

/** Says plainly when the answer is not the model's, and why. */
function fallbackNote(result: RunFinished): string | undefined {
  if (result.fallback === 'rule') return err.yellow(`answered by the rule fallback: ${modelErrorSummary(result)}`);
  if (result.fallback === 'human') return err.yellow(`needs a human: ${modelErrorSummary(result)}`);
  if (result.fallback === 'model' && result.status === 'succeeded')
    return err.yellow(`answered by a fallback model after: ${result.modelErrors.map((e) => `${e.model} → ${e.error}`).join('; ')}`);
  return undefined;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.trim();
}
