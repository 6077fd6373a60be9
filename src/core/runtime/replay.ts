/**
 * Replay: re-execute a recorded run against the model responses it received, with the exact snapshot
 * it ran, and say whether the outcome is the same (status, answer, tool calls, sub-agent hops).
 */
import { CheckFailedError } from '../errors.js';
import type { StoredEvent } from '../events/decode.js';
import type { RunRow } from '../events/run-store.js';
import { type ChatMessage, ModelError, type ModelErrorClass, type ModelProvider, type ModelResponse, requestKey } from '../providers/types.js';
import type { Registry } from '../registry/registry.js';
import type { RuntimeEvent } from './events.js';
import type { ToolExecutor } from './runtime.js';
import type { AgentSnapshot } from './snapshot.js';
import type { ToolOutcome } from './tools.js';

export interface Outcome {
  status: string;
  /** Why it failed (or fell back): a replay of a failed run must fail the same way. */
  errorClass?: string | null;
  output: string | null;
  toolCalls: string[];
  routes: string[];
}

export interface ReplayComparison {
  same: boolean;
  differences: { what: string; original: unknown; replay: unknown }[];
}

export interface LoadedReplay {
  run: RunRow;
  snapshot: AgentSnapshot;
  provider: ModelProvider;
  /** Tools answer with what they answered the first time, so a live run's replay touches nothing. */
  tools: ToolExecutor;
  original: Outcome;
  /** The session's turns before this run, as the original run had them in its context. */
  history: ChatMessage[];
}

export function loadReplay(registry: Registry, runId: string): LoadedReplay {
  const run = registry.runs.get(runId);
  if (run.status === 'running') throw new CheckFailedError(`run ${run.runId} is still running`, { fix: 'wait for it to finish' });
  try {
    const row = registry.resolve(`${run.agent}@${run.version}`);
    if (row.status === 'disabled') {
      throw new CheckFailedError(`${run.agent}@${run.version} is disabled: disabled versions refuse new runs, replays included`, {
        code: 'disabled',
        fix: 'replay a run of another version',
      });
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'not-found') throw error;
  }
  const snapshot = JSON.parse(registry.blobs.get(run.snapshot).toString('utf8')) as AgentSnapshot;
  const events = registry.runs.events(run.runId);
  // The turns the original run had in its context (a session's earlier turns, or a sample's conversation).
  const started = events.find((e) => e.type === 'run.started');
  const history: ChatMessage[] = started?.type === 'run.started' ? started.history : [];
  return {
    run,
    snapshot,
    provider: replayProvider(events),
    tools: replayTools(events),
    original: { ...outcomeOf(run.status, run.output, events), errorClass: run.errorClass },
    history,
  };
}

function replayTools(events: readonly StoredEvent[]): ToolExecutor {
  const recorded = new Map<string, ToolOutcome[]>();
  let pending: { key: string } | undefined;
  for (const e of events) {
    if (e.type === 'tool.call') pending = { key: `${e.tool}:${JSON.stringify(e.input)}` };
    else if (pending && (e.type === 'tool.result' || e.type === 'tool.error')) {
      const outcome: ToolOutcome = e.type === 'tool.result' ? { ok: true, output: e.output, source: e.source } : { ok: false, error: e.error };
      recorded.set(pending.key, [...(recorded.get(pending.key) ?? []), outcome]);
      pending = undefined;
    }
  }
  return async (tool, input) => {
    const outcome = recorded.get(`${tool.metadata.name}:${JSON.stringify(input)}`)?.shift();
    return outcome ?? { ok: false, error: `the original run never called ${tool.metadata.name} with ${JSON.stringify(input)}` };
  };
}

/**
 * Answers each request with what the original run got for the same request hash, in order: the recorded
 * response, or the recorded model error (a 500, a timeout, a cassette miss), so the replay takes the same
 * fallback path the original took instead of reporting a divergence that did not happen.
 */
function replayProvider(events: readonly StoredEvent[]): ModelProvider {
  type Recorded = { response: ModelResponse } | { error: string; errorClass: string };
  const recorded = new Map<string, Recorded[]>();
  const add = (key: string, entry: Recorded) => recorded.set(key, [...(recorded.get(key) ?? []), entry]);
  // model.error carries no key: it is the key of the model.request of the same span.
  const keyOfSpan = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'model.request') keyOfSpan.set(e.spanId, e.key);
    if (e.type === 'model.response') {
      const { content, toolCalls, usage, model, finishReason, truncated, refusal, usageEstimated } = e;
      add(e.key, { response: { content, toolCalls, usage, model, finishReason, truncated, refusal, usageEstimated } });
    }
    const errorKey = e.type === 'model.error' ? keyOfSpan.get(e.spanId) : undefined;
    if (errorKey && e.type === 'model.error') add(errorKey, { error: e.error, errorClass: e.errorClass });
  }
  return {
    name: 'replay',
    testDouble: false,
    async complete(request) {
      const entry = recorded.get(requestKey(request))?.shift();
      if (!entry) {
        throw new ModelError(
          `the replay asked ${request.model} something the original run did not (model call ${request.step} of ${request.agent})`,
          'cassette-miss',
          false,
          'the outcome diverged before this call; compare the two traces with agentctl trace',
        );
      }
      // The class was a ModelErrorClass when the runtime logged it.
      if ('error' in entry) throw new ModelError(entry.error, entry.errorClass as ModelErrorClass, false);
      return entry.response;
    },
  };
}

/** What decides "the same outcome", from a run's events (live from the runtime, or decoded from the log). */
export function outcomeOf(status: string, output: string | null, events: readonly RuntimeEvent[]): Outcome {
  return {
    status,
    output,
    toolCalls: events.flatMap((e) => (e.type === 'tool.call' ? [`${e.tool}(${JSON.stringify(e.input)})`] : [])),
    routes: events.flatMap((e) => (e.type === 'subagent.routed' ? [`${e.from}→${e.to}`] : [])),
  };
}

export function compareOutcomes(original: Outcome, replay: Outcome): ReplayComparison {
  const differences: ReplayComparison['differences'] = [];
  for (const what of ['status', 'errorClass', 'output', 'toolCalls', 'routes'] as const) {
    if (what === 'errorClass' && (original.errorClass === undefined || replay.errorClass === undefined)) continue;
    if (JSON.stringify(original[what]) !== JSON.stringify(replay[what])) differences.push({ what, original: original[what], replay: replay[what] });
  }
  return { same: differences.length === 0, differences };
}
