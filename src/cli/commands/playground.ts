/** `playground`: the Ink TUI. Builds the controller the TUI calls (core does the work), then renders. */
import { UsageError } from '../../core/errors.js';
import { evaluateAgent } from '../../core/eval/evaluate.js';
import { getRun, listRuns, runEvents } from '../../core/events/queries.js';
import { createProvider } from '../../core/providers/create.js';
import { echoProvider } from '../../core/providers/echo.js';
import { ModelError, type ModelProvider } from '../../core/providers/types.js';
import { Registry } from '../../core/registry/registry.js';
import { executeRun, openEventLog } from '../../core/runtime/execute.js';
import { resolveAgent } from '../../core/runtime/resolve-agent.js';
import type { AgentSnapshot } from '../../core/runtime/snapshot.js';
import { loadWorkspaceSpecs } from '../../core/spec/validate.js';
import type { AgentInfo, PlaygroundController } from '../../tui/playground/types.js';
import type { CliContext } from '../context.js';
import { actorOf, workspaceOf } from '../workspace.js';

export async function playgroundCommand(ctx: CliContext, ref: string | undefined, options: { provider?: string; model?: string }): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError('the playground needs an interactive terminal (stdin and stdout a TTY)', {
      fix: `for plain output use: agentctl run ${ref ?? '<agent>'} -i "…" (add --json for a record)`,
      code: 'no-tty',
    });
  }
  // React runs its production build: scripts/build.mjs defines process.env.NODE_ENV as "production" for
  // the bundle (the development build manages ~40 events/s where the playground needs ~1,000).
  const workspace = workspaceOf(ctx);
  const registry = Registry.open(workspace);
  try {
    const names = () => {
      const local = loadWorkspaceSpecs(workspace.root, ctx.cwd).workspace.flatMap((s) => (s.document?.kind === 'Agent' ? [s.document.metadata.name] : []));
      const registered = registry.list({ kind: 'Agent' }).map((r) => r.name);
      return [...new Set([...local, ...registered])].sort();
    };
    const start = ref ?? names()[0];
    if (!start) throw new UsageError('no agent in this workspace yet', { fix: 'agentctl new agent <name>' });
    let agent = resolveAgent(workspace, registry, start, ctx.cwd);
    let provider = pickProvider(agent);
    const log = openEventLog(registry, agent);

    function pickProvider(snapshot: AgentSnapshot): ModelProvider {
      const chosen = createProvider(options.provider ?? workspace.config.provider, workspace.config, ctx.env, snapshot).provider;
      // Free-form input misses the cassette: answer with the (clearly labelled) echo test double instead.
      return chosen.name === 'cassette' ? withEchoFallback(chosen) : chosen;
    }
    const info = (snapshot: AgentSnapshot): AgentInfo => ({
      name: snapshot.name,
      version: snapshot.version,
      source: snapshot.source,
      model: options.model ?? snapshot.document.spec.model.ref,
      maxInputTokens: snapshot.document.spec.budget?.maxInputTokens ?? null,
      maxCostUsd: snapshot.document.spec.budget?.maxCostUsd ?? null,
    });

    const controller: PlaygroundController = {
      get provider() {
        return { name: provider.name, model: options.model ?? null, testDouble: provider.testDouble };
      },
      agents: names,
      versions(name) {
        const local = loadWorkspaceSpecs(workspace.root, ctx.cwd).workspace.some((s) => s.document?.metadata.name === name);
        const registered = registry
          .list({ name, kind: 'Agent' })
          .map((r) => r.version)
          .reverse();
        return [...(local ? ['workspace'] : []), ...registered];
      },
      select(name, version) {
        agent = resolveAgent(workspace, registry, version === 'workspace' ? name : `${name}@${version}`, ctx.cwd);
        provider = pickProvider(agent);
        return info(agent);
      },
      run(input, { mode, signal, history }) {
        return executeRun({
          registry,
          agent,
          input,
          history,
          provider,
          mode,
          model: options.model,
          prices: workspace.config.prices,
          actor: actorOf(workspace),
          signal,
          log,
        });
      },
      pastRuns(name) {
        return listRuns(registry.db, { agent: name, limit: 30 }).map((r) => ({
          runId: r.runId,
          startedAt: r.startedAt,
          status: r.status,
          input: r.input,
          version: r.version,
        }));
      },
      pastRun(runId) {
        try {
          const r = getRun(registry.db, runId);
          return { runId: r.runId, startedAt: r.startedAt, status: r.status, input: r.input, version: r.version };
        } catch {
          return undefined; // no such run (e.g. the sample errored before its run was logged)
        }
      },
      pastEvents(runId) {
        return runEvents(registry.db, registry.blobs, getRun(registry.db, runId).runId);
      },
      async evaluate({ signal, onProgress }) {
        const { report, gate } = await evaluateAgent({
          workspace,
          registry,
          agent,
          provider: createProvider(options.provider ?? workspace.config.provider, workspace.config, ctx.env, agent).provider,
          signal,
          onProgress,
          actor: actorOf(workspace),
          prices: workspace.config.prices,
          log,
        });
        const s = report.summary;
        return {
          passed: gate.passed,
          summary: `${s.passed}/${s.executions} passed, ${s.errors} error(s)${report.status === 'partial' ? ', partial' : ''}${gate.reasons.length ? ` — ${gate.reasons.join('; ')}` : ''}`,
        };
      },
    };
    // Ink draws nothing but the last frame when it thinks it runs in CI; the playground has a real
    // terminal (checked above), so it must draw live even where CI is set.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
    const { startPlayground } = await import('../../tui/playground/index.js');
    await startPlayground(controller, info(agent));
    log.flush();
    return 0;
  } finally {
    registry.close();
  }
}

function withEchoFallback(cassette: ModelProvider): ModelProvider {
  return {
    name: 'cassette+echo',
    testDouble: true,
    async complete(request, options) {
      try {
        return await cassette.complete(request, options);
      } catch (error) {
        if (error instanceof ModelError && error.errorClass === 'cassette-miss') return echoProvider.complete(request, options);
        throw error;
      }
    },
  };
}
