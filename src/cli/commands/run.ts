import { UsageError } from '../../core/errors.js';
import { createProvider } from '../../core/providers/create.js';
import { cassetteFiles } from '../../core/runtime/cassettes.js';
import { executeRun } from '../../core/runtime/execute.js';
import { resolveAgent } from '../../core/runtime/resolve-agent.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine } from '../present/output.js';
import { createEventPrinter } from '../present/run-events.js';
import { actorOf, writeRegistry } from '../workspace.js';

export interface RunCommandOptions {
  input?: string;
  provider?: string;
  model?: string;
  record?: boolean;
  live?: boolean;
  session?: string;
  json?: boolean;
}

/** Exit codes of a run: 0 succeeded, 1 failed or needs a human, 130 cancelled (Ctrl-C). */
export const RUN_EXIT = { succeeded: 0, failed: 1, 'needs-human': 1, cancelled: 130 } as const;

export async function runCommand(ctx: CliContext, ref: string, options: RunCommandOptions): Promise<number> {
  const input = options.input ?? (await readStdin());
  if (!input.trim())
    throw new UsageError('no input for the run', { fix: `agentctl run ${ref} -i "your question", or pipe it: echo "…" | agentctl run ${ref}` });
  const providerName = options.provider ?? (options.record ? 'openai' : undefined);
  return writeRegistry(ctx, async (registry, workspace) => {
    const agent = resolveAgent(workspace, registry, ref, ctx.cwd);
    if (options.record && agent.source !== 'workspace') {
      throw new UsageError('--record writes to the cassette files of the workspace copy', {
        fix: `run the workspace copy: agentctl run ${agent.name} --record`,
      });
    }
    const { provider, secrets } = createProvider(providerName ?? workspace.config.provider, workspace.config, ctx.env, agent);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    const print = createEventPrinter((line) => note(ctx, line));
    const cassettePaths = options.record ? cassetteFiles(workspace.root, ctx.cwd) : undefined;
    try {
      const stream = executeRun({
        registry,
        agent,
        input,
        provider,
        mode: options.live ? 'live' : 'dry',
        model: options.model ?? workspace.config.model,
        prices: workspace.config.prices,
        actor: actorOf(workspace),
        sessionId: options.session,
        signal: controller.signal,
        secrets,
        recordInto: cassettePaths,
      });
      let finished: Awaited<ReturnType<typeof stream.next>>;
      for (;;) {
        finished = await stream.next();
        if (finished.done) break;
        if (!options.json) print(finished.value);
      }
      const result = finished.value;
      if (options.json)
        printJson(ctx, { ...result, agent: agent.name, version: agent.version, digest: agent.digest, source: agent.source, provider: provider.name });
      else if (result.output !== null) printLine(ctx, result.output);
      return RUN_EXIT[result.status];
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.trim();
}
