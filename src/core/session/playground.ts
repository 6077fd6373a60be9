/**
 * The playground's controller: the TUI's only way into core. Runs and evals go through the session, so
 * the playground asks the model exactly what `run` and `eval` ask, with the same secrets redacted; switching
 * agent or version rebuilds the binding (provider, model, secrets, redaction) and starts a new conversation.
 */
import { payloadOf } from '../events/decode.js';
import { newId } from '../runtime/execute.js';
import type { AgentSnapshot } from '../runtime/snapshot.js';
import { playgroundFeedback } from './playground-feedback.js';
import type { AgentInfo, PlaygroundController } from './playground-types.js';
import type { AgentSession, Binding } from './session.js';

/** How many of the latest runs are searched for the last agent used (older history is not "last"). */
const RECENT_RUNS = 50;

/**
 * The agent the playground opens when none is named: the one of the latest run in the event log that is
 * still in the workspace (or the registry), so `agentctl playground` picks up where the user left off;
 * else the first agent by name. Undefined when the workspace has no agent at all.
 */
export function startingAgent(session: AgentSession): string | undefined {
  const known = new Set([
    ...session.specs().workspace.flatMap((s) => (s.document?.kind === 'Agent' ? [s.document.metadata.name] : [])),
    ...session.registry.list({ kind: 'Agent' }).map((r) => r.name),
  ]);
  const last = session.registry.runs.list({ limit: RECENT_RUNS }).find((r) => known.has(r.agent));
  return last?.agent ?? [...known].sort()[0];
}

export function createPlaygroundController(session: AgentSession, start: AgentSnapshot): { controller: PlaygroundController; info: AgentInfo } {
  const { registry } = session;
  let binding: Binding = session.bind(start, { echoOnMiss: true });
  let conversation = newId();
  const workspaceAgents = () => session.specs(true).workspace.flatMap((s) => (s.document?.kind === 'Agent' ? [s.document.metadata.name] : []));
  const info = (b: Binding): AgentInfo => ({
    name: b.agent.name,
    version: b.agent.version,
    source: b.agent.source,
    model: b.model,
    maxInputTokens: b.agent.document.spec.budget?.maxInputTokens ?? null,
    maxCostUsd: b.agent.document.spec.budget?.maxCostUsd ?? null,
  });
  const feedback = playgroundFeedback(session);
  const controller: PlaygroundController = {
    rate: feedback.rate,
    suggestSample: feedback.suggestSample,
    saveSample: feedback.saveSample,
    get provider() {
      return { name: binding.provider.name, model: binding.model, testDouble: binding.provider.testDouble };
    },
    agents: () => [...new Set([...workspaceAgents(), ...registry.list({ kind: 'Agent' }).map((r) => r.name)])].sort(),
    versions(name) {
      const local = workspaceAgents().includes(name);
      const registered = registry
        .list({ name, kind: 'Agent' })
        .map((r) => r.version)
        .reverse();
      return [...(local ? ['workspace'] : []), ...registered];
    },
    describeVersion(name, version) {
      if (version === 'workspace') return 'workspace  (the files you are editing)';
      const row = registry.resolve(`${name}@${version}`);
      const stages = row.holds.length ? row.holds.join(', ') : 'no stage';
      return `${version}  ${stages} · ${row.status}${row.rolledBack ? ' · rolled back' : ''}`;
    },
    select(name, version) {
      // The user edits files while the playground is open: switching reads the workspace again.
      binding = session.bind(session.resolve(version === 'workspace' ? name : `${name}@${version}`, { fresh: true }), { echoOnMiss: true });
      conversation = newId();
      return info(binding);
    },
    run(input, { mode, signal }) {
      return session.run(binding, { input, sessionId: conversation, live: mode === 'live', signal });
    },
    pastRuns: (name) =>
      registry.runs.list({ agent: name, limit: 30 }).map((r) => ({
        runId: r.runId,
        startedAt: r.startedAt,
        status: r.status,
        input: r.input,
        version: r.version,
      })),
    pastRun(runId) {
      try {
        const r = registry.runs.get(runId);
        return { runId: r.runId, startedAt: r.startedAt, status: r.status, input: r.input, version: r.version };
      } catch {
        return undefined; // no such run (e.g. the sample errored before its run was logged)
      }
    },
    pastEvents: (runId) => registry.runs.events(registry.runs.get(runId).runId).map((e) => ({ seq: e.seq, type: e.type, at: e.at, payload: payloadOf(e) })),
    async evaluate({ signal, onProgress }) {
      // The sample set is judged by the agent's real provider: no echo double stands in for a cassette miss.
      const { report, gate } = await session.evaluate(session.bind(binding.agent), { signal, onProgress });
      const s = report.summary;
      return {
        passed: gate.passed,
        summary: `${s.passed}/${s.executions} passed, ${s.errors} error(s)${report.status === 'partial' ? ', partial' : ''}${gate.reasons.length ? ` — ${gate.reasons.join('; ')}` : ''}`,
      };
    },
  };
  return { controller, info: info(binding) };
}
