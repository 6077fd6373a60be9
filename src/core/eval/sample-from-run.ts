/**
 * A real run turned into an eval sample: its input (with a session's earlier turns, the whole
 * conversation), the tool answers it received as the sample's own mocks, and suggested assertions.
 * `sampleFromRun` builds it from the event log without writing anything; `addSampleFromRun` checks that
 * the sample passes offline against the workspace agent, then appends it to the agent's sample set and
 * the run's model responses to the agent's cassette. No terminal code: `samples add` and the
 * playground's ^S both call these.
 */
import { dirname, join } from 'node:path';
import { CheckFailedError, UsageError } from '../errors.js';
import type { StoredEvent } from '../events/decode.js';
import type { RunRow } from '../events/run-store.js';
import { recording } from '../providers/cassette.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../providers/types.js';
import { ModelError, requestKey } from '../providers/types.js';
import { cassetteFiles, saveRecordings } from '../runtime/cassettes.js';
import { newId } from '../runtime/execute.js';
import { runAgent } from '../runtime/runtime.js';
import type { AgentSnapshot } from '../runtime/snapshot.js';
import type { AgentSession } from '../session/session.js';
import { displayPath } from '../workspace/workspace.js';
import type { Assertion, Sample } from './dataset.js';
import { appendSample, sampleIds } from './sample-file.js';
import { withSampleMocks } from './sample-mocks.js';

export const SUGGESTION_KINDS = ['tool-called', 'routed-to', 'contains', 'equals', 'judge'] as const;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[number];
export const DEFAULT_SUGGESTIONS: readonly SuggestionKind[] = ['tool-called', 'contains'];

export interface Suggestion {
  kind: SuggestionKind;
  assertion: Assertion;
}

export interface SampleFromRunOptions {
  /** Which suggestions become the sample's assertions (default: tool-called and contains). */
  assert?: readonly SuggestionKind[] | undefined;
  /** The rubric of a judge assertion (required with `judge`). */
  rubric?: string | undefined;
  /** The sample id (default: derived from the input, made unique against `existingIds`). */
  id?: string | undefined;
  existingIds?: ReadonlySet<string>;
}

/**
 * Builds the sample a finished run makes (pure: reads only `run` and its `events`). Every suggestion is
 * returned too, chosen or not, so a caller can offer the others. Throws when the run cannot make a
 * sample that passes offline: still running, failed, or a model call with no recorded response.
 */
export function sampleFromRun(run: RunRow, events: readonly StoredEvent[], options: SampleFromRunOptions = {}): { sample: Sample; suggestions: Suggestion[] } {
  if (run.status === 'running') throw new CheckFailedError(`run ${run.runId} is still running`, { fix: 'wait for it to finish, then add it' });
  const requests = events.filter((e) => e.type === 'model.request').length;
  const responses = events.filter((e) => e.type === 'model.response').length;
  if (responses === 0 || responses < requests || events.some((e) => e.type === 'model.error'))
    throw new CheckFailedError(`run ${run.runId} is missing recorded model responses (${responses} of ${requests} model calls answered)`, {
      fix: `answer it first (agentctl run ${run.agent} -i "${run.input.slice(0, 40)}" --provider echo, or --record --provider openai against a gateway), then add that run`,
    });
  if (run.status !== 'succeeded' || run.output === null)
    throw new CheckFailedError(
      `run ${run.runId} ${run.status === 'succeeded' ? 'gave no answer' : `did not succeed (${run.status}${run.errorClass ? `: ${run.errorClass}` : ''})`}`,
      {
        fix: `make a sample of a run that answered (agentctl runs --agent ${run.agent} --status succeeded), or write this one by hand`,
      },
    );
  const started = events.find((e) => e.type === 'run.started');
  const history = started?.type === 'run.started' ? started.history : [];
  const turns: { role: 'user' | 'assistant'; content: string }[] = [];
  for (const m of history) {
    if ((m.role === 'user' || m.role === 'assistant') && m.content !== null) turns.push({ role: m.role, content: m.content });
  }
  const input: Sample['input'] = turns.length ? [...turns, { role: 'user', content: run.input }] : run.input;
  const suggestions = suggest(run.output, events, options.rubric);
  const chosen = options.assert ?? DEFAULT_SUGGESTIONS;
  if (chosen.includes('judge') && !options.rubric?.trim())
    throw new UsageError('a judge assertion needs its rubric', { fix: '--assert judge --rubric "The answer names the refund window"' });
  let assertions = suggestions.filter((s) => chosen.includes(s.kind)).map((s) => s.assertion);
  // Nothing chosen applies (no tool was called): the answer itself is the check.
  if (assertions.length === 0) assertions = suggestions.filter((s) => s.kind === 'contains').map((s) => s.assertion);
  const mocks = mocksOf(events);
  const sample: Sample = {
    id: options.id ?? uniqueId(slug(run.input), options.existingIds ?? new Set()),
    input,
    ...(Object.keys(mocks).length ? { mocks } : {}),
    assert: assertions,
    tags: ['from-run'],
  };
  return { sample, suggestions };
}

function suggest(output: string, events: readonly StoredEvent[], rubric: string | undefined): Suggestion[] {
  const out: Suggestion[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    const key = e.type === 'tool.call' ? `t:${e.tool}:${JSON.stringify(e.input)}` : e.type === 'subagent.routed' ? `r:${e.to}` : undefined;
    if (!key || seen.has(key)) continue;
    seen.add(key);
    if (e.type === 'tool.call')
      out.push({
        kind: 'tool-called',
        assertion: { type: 'tool-called', name: e.tool, ...(Object.keys(e.input).length ? { args: e.input } : {}) },
      });
    if (e.type === 'subagent.routed') out.push({ kind: 'routed-to', assertion: { type: 'routed-to', agent: e.to } });
  }
  out.push({ kind: 'contains', assertion: { type: 'contains', value: excerpt(output) } });
  out.push({ kind: 'equals', assertion: { type: 'equals', value: output } });
  if (rubric?.trim()) out.push({ kind: 'judge', assertion: { type: 'judge', rubric: rubric.trim() } });
  return out;
}

/** The tool answers the run received, as per-sample mocks keyed by the exact arguments (duplicates once). */
function mocksOf(events: readonly StoredEvent[]): NonNullable<Sample['mocks']> {
  const mocks: NonNullable<Sample['mocks']> = {};
  const seen = new Set<string>();
  let pending: { tool: string; input: Record<string, unknown> } | undefined;
  for (const e of events) {
    if (e.type === 'tool.call') pending = { tool: e.tool, input: e.input };
    else if (pending && (e.type === 'tool.result' || e.type === 'tool.error')) {
      const key = `${pending.tool}:${JSON.stringify(pending.input)}`;
      if (!seen.has(key)) {
        seen.add(key);
        const when = Object.keys(pending.input).length ? { when: pending.input } : {};
        const answer = e.type === 'tool.result' ? { output: e.output } : { error: e.error };
        mocks[pending.tool] = [...(mocks[pending.tool] ?? []), { ...when, ...answer }];
      }
      pending = undefined;
    }
  }
  return mocks;
}

/** The answer's first line, cut at a word near 80 characters: specific enough, and still readable. */
function excerpt(output: string): string {
  const line = output.trim().split('\n')[0]?.trim() ?? '';
  if (line.length <= 80) return line || output;
  const cut = line.lastIndexOf(' ', 80);
  return line.slice(0, cut > 20 ? cut : 80);
}

function slug(input: string): string {
  const words = input
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let id = '';
  for (const word of words) {
    if (id && id.length + word.length + 1 > 40) break;
    id = id ? `${id}-${word}` : word.slice(0, 40);
  }
  return id || 'sample';
}

function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** Answers each request with the response the run received for the same request key, in order. */
function recordedProvider(events: readonly StoredEvent[]): ModelProvider {
  const byKey = new Map<string, ModelResponse[]>();
  for (const e of events) {
    if (e.type !== 'model.response') continue;
    const { content, toolCalls, usage, model, finishReason, truncated, refusal, usageEstimated } = e;
    byKey.set(e.key, [...(byKey.get(e.key) ?? []), { content, toolCalls, usage, model, finishReason, truncated, refusal, usageEstimated }]);
  }
  return {
    name: 'recorded',
    testDouble: false,
    async complete(request) {
      const found = byKey.get(requestKey(request))?.shift();
      if (!found) throw new ModelError(`model call ${request.step} of ${request.agent} was not in the run`, 'cassette-miss', false);
      return found;
    },
  };
}

export interface AddedSample {
  sample: Sample;
  suggestions: Suggestion[];
  /** The sample set and cassette files written, relative to the workspace root. */
  datasetFile: string;
  cassetteFiles: string[];
  run: RunRow;
}

/**
 * Adds run `options.run` (an id, a unique prefix, or "last") of workspace agent `agent` to its sample set.
 * `choose` picks the assertions among the suggestions (the CLI asks on a terminal); by default
 * `options.assert`. Before writing, the sample is run against the workspace agent with the run's recorded
 * model responses: it must give the same answer, so the sample passes offline at once.
 */
export async function addSampleFromRun(
  session: AgentSession,
  options: SampleFromRunOptions & {
    agent: string;
    run: string;
    choose?: (suggestions: Suggestion[]) => Promise<{ assert: SuggestionKind[]; rubric?: string | undefined }>;
  },
): Promise<AddedSample> {
  const run = session.registry.runs.get(options.run);
  if (run.agent !== options.agent)
    throw new UsageError(`run ${run.runId} is a run of ${run.agent}, not ${options.agent}`, {
      fix: `agentctl samples add ${run.agent} --from-run ${run.runId}`,
    });
  const spec = session.specs().workspace.find((s) => s.document?.kind === 'Agent' && s.document.metadata.name === options.agent);
  const agent = session.resolve(options.agent);
  if (!spec || agent.source !== 'workspace')
    throw new UsageError(`${options.agent} is not an agent of this workspace`, { fix: 'samples go into a workspace agent: agentctl new agent <name>' });
  const ref = agent.document.spec.evals?.dataset;
  if (!ref)
    throw new UsageError(`${options.agent} has no sample set`, {
      fix: `add spec.evals.dataset (e.g. evals/samples.yaml) to ${displayPath(session.workspace.root, spec.absolutePath)}`,
    });
  const datasetPath = join(dirname(spec.absolutePath), ref);
  const events = session.registry.runs.events(run.runId);
  const base = { ...options, existingIds: sampleIds(datasetPath) };
  let built = sampleFromRun(run, events, base);
  if (options.choose) {
    const chosen = await options.choose(built.suggestions);
    built = sampleFromRun(run, events, { ...base, assert: chosen.assert, rubric: chosen.rubric ?? options.rubric });
  }
  const recorded = await answerOffline(session, agent, built.sample, run, events);
  const display = displayPath(session.workspace.root, datasetPath);
  const pathOf = cassetteFiles(session.workspace.root, session.workspace.root);
  const homeless = recorded.find((r) => pathOf(r.request.agent) === undefined);
  if (homeless)
    throw new CheckFailedError(`${homeless.request.agent} has no cassette, so the sample's model answers have nowhere to go and it would not pass offline`, {
      fix: `add cassette: cassettes/default.yaml to ${homeless.request.agent}'s spec, then add the sample again`,
    });
  // The answers first: if the sample cannot be written after them, the cassette only holds answers no
  // sample asks for yet; the other way round the sample set would hold a sample that misses offline.
  saveRecordings(recorded, pathOf, session.bind(agent).redactor);
  appendSample(datasetPath, display, built.sample);
  const written = [...new Set(recorded.map((r) => pathOf(r.request.agent)).filter((p): p is string => p !== undefined))];
  return { ...built, run, datasetFile: display, cassetteFiles: written.map((p) => displayPath(session.workspace.root, p)) };
}

/** Runs the sample as eval will (the workspace agent, its mocks and conversation, the model eval picks) on the run's responses. */
async function answerOffline(
  session: AgentSession,
  agent: AgentSnapshot,
  sample: Sample,
  run: RunRow,
  events: readonly StoredEvent[],
): Promise<{ request: ModelRequest; response: ModelResponse }[]> {
  const recorded: { request: ModelRequest; response: ModelResponse }[] = [];
  const provider = recording(recordedProvider(events), (request, response) => recorded.push({ request, response }));
  const conversation = typeof sample.input === 'string' ? [{ role: 'user' as const, content: sample.input }] : sample.input;
  const stream = runAgent({
    runId: newId(),
    sessionId: newId(),
    agent: withSampleMocks(agent, sample),
    input: run.input,
    history: conversation.slice(0, -1),
    provider,
    mode: 'dry',
    model: session.bind(agent).modelOverride,
    signal: session.signal,
  });
  let step = await stream.next();
  while (!step.done) step = await stream.next();
  const finished = step.value;
  if (finished.status !== 'succeeded' || finished.output !== run.output)
    throw new CheckFailedError(
      `run ${run.runId} cannot become a sample that passes: ${agent.name} as it is in the workspace now does not answer it the way the run did (${finished.errorClass ?? (finished.status === 'succeeded' ? 'another answer' : finished.status)})`,
      {
        fix: `the agent, its model or its tools changed since the run: run it again (agentctl run ${agent.name} -i "${run.input.slice(0, 40)}"), then add that run`,
      },
    );
  return recorded;
}
