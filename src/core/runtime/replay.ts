/**
 * Replay: re-execute a recorded run against the model responses it received, with the exact snapshot
 * it ran, and say whether the outcome is the same (status, answer, tool calls, sub-agent hops).
 */
import { CheckFailedError } from '../errors.js';
import { getRun, type RunRow, runEvents, type StoredEvent } from '../events/queries.js';
import { ModelError, type ModelErrorClass, type ModelProvider, type ModelResponse, requestKey } from '../providers/types.js';
import type { Registry } from '../registry/registry.js';
import type { ToolCall } from './events.js';
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
}

export function loadReplay(registry: Registry, runId: string): LoadedReplay {
  const run = getRun(registry.db, runId);
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
  const events = runEvents(registry.db, registry.blobs, run.runId);
  return {
    run,
    snapshot,
    provider: replayProvider(events),
    tools: replayTools(events),
    original: { ...outcomeOf(run.status, run.output, events), errorClass: run.errorClass },
  };
}

function replayTools(events: readonly StoredEvent[]): ToolExecutor {
  const recorded = new Map<string, ToolOutcome[]>();
  let pending: { key: string } | undefined;
  for (const e of events) {
    if (e.type === 'tool.call') pending = { key: `${e.payload.tool}:${JSON.stringify(e.payload.input)}` };
    else if (pending && (e.type === 'tool.result' || e.type === 'tool.error')) {
      const outcome: ToolOutcome =
        e.type === 'tool.result'
          ? { ok: true, output: e.payload.output, source: e.payload.source as 'mock' | 'live' }
          : { ok: false, error: e.payload.error as string };
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
    const p = e.payload;
    if (e.type === 'model.request' && e.spanId) keyOfSpan.set(e.spanId, p.key as string);
    if (e.type === 'model.response')
      add(p.key as string, {
        response: {
          content: p.content as string | null,
          toolCalls: p.toolCalls as ToolCall[],
          usage: p.usage as ModelResponse['usage'],
          model: p.model as string,
        },
      });
    const errorKey = e.type === 'model.error' && e.spanId ? keyOfSpan.get(e.spanId) : undefined;
    if (errorKey) add(errorKey, { error: String(p.error), errorClass: String(p.errorClass) });
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

export function outcomeOf(status: string, output: string | null, events: readonly { type: string; payload?: Record<string, unknown> }[]): Outcome {
  const payload = (e: { type: string; payload?: Record<string, unknown> }) => e.payload ?? (e as unknown as Record<string, unknown>);
  return {
    status,
    output,
    toolCalls: events.filter((e) => e.type === 'tool.call').map((e) => `${payload(e).tool}(${JSON.stringify(payload(e).input)})`),
    routes: events.filter((e) => e.type === 'subagent.routed').map((e) => `${payload(e).from}→${payload(e).to}`),
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
