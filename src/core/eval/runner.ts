/**
 * The eval runner: every sample (× repeats) is a real run of the runtime, logged like any other, with a
 * bounded number in flight, a per-sample timeout, a shared model-call cache, and cancellation that
 * keeps what finished. Results are stored against the version's digest as they arrive.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EventLog } from '../events/event-log.js';
import type { Redactor } from '../events/redact.js';
import { recording } from '../providers/cassette.js';
import type { Price } from '../providers/prices.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../providers/types.js';
import { requestKey } from '../providers/types.js';
import type { Registry } from '../registry/registry.js';
import type { RuntimeEvent } from '../runtime/events.js';
import { executeRunWith, newId, openEventLog } from '../runtime/execute.js';
import { formatDuration, policyRefsOf } from '../runtime/guards.js';
import type { AgentSnapshot } from '../runtime/snapshot.js';
import { deadline } from '../util/deadline.js';
import { agentctlVersion } from '../util/package-root.js';
import { evaluateAssertion, type Observation } from './assertions.js';
import { type Comparison, compareResults } from './compare.js';
import type { LoadedDataset, Sample, SampleSet } from './dataset.js';
import { judgeWith } from './judge.js';
import { type EvalSummary, type SampleResult, SummaryBuilder, sampleScore } from './results.js';
import { withSampleMocks } from './sample-mocks.js';
import { JsSandbox } from './sandbox.js';
import { resultWrite } from './store.js';

/** Run failures that are the model's or the environment's, not the agent's: errors, not failures. */
const MODEL_ERRORS = new Set([
  'timeout',
  'rate-limit',
  'server',
  'network',
  'malformed',
  'stream-dropped',
  'auth',
  'bad-request',
  'cassette-miss',
  'cancelled',
]);

export interface EvalRunOptions {
  registry: Registry;
  agent: AgentSnapshot;
  dataset: LoadedDataset;
  datasetDir: string;
  /** The version's files, the only folder assertion code may read (default: datasetDir). */
  codeRoot?: string | undefined;
  provider: ModelProvider;
  /** The model override the session chose (undefined: each agent's own model.ref). */
  model?: string | undefined;
  concurrency?: number;
  repeat?: number;
  timeoutMs?: number;
  cache?: boolean;
  tags?: string[];
  signal?: AbortSignal;
  actor: { user: string; team: string };
  prices?: Record<string, Price>;
  onProgress?: (event: EvalProgress) => void;
  /** Keep every model response (runs and judges) for the agents' cassettes. */
  onRecorded?: (entries: { request: ModelRequest; response: ModelResponse }[]) => void;
  log?: EventLog;
  /** Results of the baseline on the same samples (read once, in any order): the comparison is stored with the eval. */
  baseline?: { ref: string; digest: string; results: Iterable<SampleResult> } | undefined;
}

export type EvalProgress = { type: 'start'; evalId: string; total: number } | { type: 'result'; result: SampleResult; done: number; total: number };

export interface EvalReport {
  evalId: string;
  agent: string;
  version: string;
  digest: string;
  source: string;
  dataset: string;
  datasetDigest: string;
  provider: string;
  repeat: number;
  status: 'complete' | 'partial';
  startedAt: number;
  finishedAt: number;
  summary: EvalSummary;
  comparison: Comparison | null;
  /**
   * The results in (sample, iteration) order, read from the store as they are iterated: an eval never
   * holds its results, so reports and --json stream them (a function, so JSON.stringify leaves it out).
   */
  results(options?: { notPassing?: boolean }): Iterable<SampleResult>;
}

export async function runEval(options: EvalRunOptions): Promise<EvalReport> {
  const { registry, agent, dataset } = options;
  const repeat = options.repeat ?? 1;
  // With --tag, the indices of the samples that carry one (numbers, not samples: the set is read lazily).
  const tagged = options.tags?.length ? taggedIndices(dataset.samples, options.tags) : undefined;
  const sampleCount = tagged?.length ?? dataset.samples.length;
  const sampleAt = (i: number) => dataset.samples.at(tagged ? (tagged[i] as number) : i);
  const recorded: { request: ModelRequest; response: ModelResponse }[] = [];
  let provider = options.onRecorded ? recording(options.provider, (request, response) => recorded.push({ request, response })) : options.provider;
  // Repeats exist to show flakiness: they must reach the model every time. A local provider answers
  // at once: caching it would save nothing.
  if ((options.cache ?? true) && repeat === 1 && !provider.local) provider = cached(provider);
  const log = options.log ?? openEventLog(registry, agent, [], { commitRunEnds: false });
  const evalId = newId();
  const startedAt = Date.now();
  registry.evals.create({
    evalId,
    agent: agent.name,
    version: agent.version,
    digest: agent.digest,
    source: agent.source,
    datasetDigest: dataset.digest,
    provider: provider.name,
    repeat,
    startedAt,
    actor: options.actor.user,
    team: options.actor.team,
  });
  // Jobs are indices (sample × repeat), not objects: 100,000 samples cost no job list.
  const total = sampleCount * repeat;
  // Enough samples to keep a second thread busy: it commits their rows while the next ones run (write-thread.ts).
  if (total >= THREAD_SAMPLES) log.startThread();
  options.onProgress?.({ type: 'start', evalId, total });
  const summary = new SummaryBuilder(repeat);
  let next = 0;
  let yieldedAt = Date.now();
  const worker = async () => {
    for (;;) {
      // Offline samples never wait on I/O: without a turn of the event loop now and then, a Ctrl-C
      // (or SIGTERM) would not even be delivered until the last sample had run.
      if (Date.now() - yieldedAt >= 20) {
        yieldedAt = Date.now();
        await yieldToEventLoop();
      }
      if (options.signal?.aborted) return;
      const job = next++;
      if (job >= total) return;
      const sample = sampleAt(Math.floor(job / repeat));
      if (!sample) return;
      const raw = await runSample(sample, (job % repeat) + 1, { ...options, provider, log, sandbox });
      if (!raw) return; // cancelled mid-sample: not a result
      // Redacted before anything sees it: the store, the progress display, reports and --json.
      const result = redactResult(raw, log.currentRedactor());
      summary.add(result);
      // Streamed to the store with the runs' own writes (one transaction, committed on the log's timer).
      log.defer(resultWrite(evalId, result));
      options.onProgress?.({ type: 'result', result, done: summary.executions, total });
    }
  };
  // Assertion code runs in one sandboxed process for the whole eval, started on first use.
  const sandbox = new JsSandbox({ readDir: options.codeRoot ?? options.datasetDir });
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, total)) }, worker));
  } finally {
    sandbox.close();
  }
  // Every row committed (on the thread, which ends now, or here) before the eval's end is written.
  log.stopThread();
  log.flush();
  if (options.onRecorded && recorded.length) options.onRecorded(recorded);
  const status = summary.executions === total ? 'complete' : 'partial';
  const results = (filter?: { notPassing?: boolean }) => registry.evals.eachResult(evalId, filter);
  const b = options.baseline;
  const comparison = b ? compareResults(b.ref, b.digest, b.results, results()) : null;
  const finalSummary = summary.summary();
  registry.evals.finish(evalId, {
    status,
    summary: finalSummary,
    baselineRef: b?.ref ?? null,
    baselineDigest: b?.digest ?? null,
    regressions: comparison?.regressions ?? null,
    policies: policyRefsOf(agent),
    // Evidence says what else decided it: this agentctl, the provider and the models asked.
    environment: {
      agentctl: agentctlVersion(),
      provider: provider.name,
      models: [...new Set([options.model ?? agent.document.spec.model.ref, ...(agent.document.spec.model.fallbacks ?? [])])],
    },
  });
  return {
    evalId,
    agent: agent.name,
    version: agent.version,
    digest: agent.digest,
    source: agent.source,
    dataset: dataset.file,
    datasetDigest: dataset.digest,
    provider: provider.name,
    repeat,
    status,
    startedAt,
    finishedAt: Date.now(),
    summary: finalSummary,
    comparison,
    results,
  };
}

async function runSample(
  sample: Sample,
  iteration: number,
  options: EvalRunOptions & { provider: ModelProvider; log: EventLog; sandbox?: JsSandbox },
): Promise<SampleResult | undefined> {
  const conversation = typeof sample.input === 'string' ? [{ role: 'user' as const, content: sample.input }] : sample.input;
  const input = conversation.at(-1)?.content ?? '';
  const timeout = sample.timeoutMs ?? options.timeoutMs ?? 60_000;
  // The sample's one timer: the run under it adds none of its own unless its budget ends sooner.
  const deadlineAt = Date.now() + timeout;
  const sampleDeadline = deadline([options.signal], timeout, () => `the sample's timeout (${formatDuration(timeout)}) ran out`);
  try {
    return await runSampleWithin(sample, iteration, input, conversation, timeout, sampleDeadline.signal, deadlineAt, options);
  } finally {
    sampleDeadline.dispose();
  }
}

async function runSampleWithin(
  sample: Sample,
  iteration: number,
  input: string,
  conversation: { role: 'user' | 'assistant'; content: string }[],
  timeout: number,
  signal: AbortSignal,
  signalDeadlineAt: number,
  options: EvalRunOptions & { provider: ModelProvider; log: EventLog; sandbox?: JsSandbox },
): Promise<SampleResult | undefined> {
  const observed: RuntimeEvent[] = [];
  const finished = await executeRunWith(
    {
      registry: options.registry,
      agent: withSampleMocks(options.agent, sample),
      storedAs: options.agent,
      input,
      history: conversation.slice(0, -1),
      provider: options.provider,
      mode: 'dry',
      model: options.model,
      prices: options.prices ?? {},
      actor: options.actor,
      signal,
      signalDeadlineAt,
      log: options.log,
    },
    (event) => {
      if (event.type === 'tool.call' || event.type === 'subagent.routed') observed.push(event);
    },
  );
  if (finished.status === 'cancelled' && options.signal?.aborted) return undefined;
  const base = {
    sampleId: sample.id,
    iteration,
    runId: finished.runId,
    latencyMs: finished.latencyMs,
    tokens: finished.usage.inputTokens + finished.usage.outputTokens,
    costUsd: finished.costUsd,
    tags: sample.tags ?? [],
  };
  // A sample whose model failed is an error, not a failure — even when a rule or a human stood in —
  // unless the sample asserts that fallback on purpose (fell-back).
  const assertsFallback = sample.assert.some((a) => a.type === 'fell-back');
  if (finished.status !== 'succeeded' && MODEL_ERRORS.has(finished.errorClass ?? '') && !(assertsFallback && finished.fallback !== null)) {
    const error =
      finished.status === 'cancelled'
        ? `the sample did not finish within ${timeout} ms`
        : `${finished.fallback === 'rule' ? 'answered by the rule fallback: ' : finished.fallback === 'human' ? 'handed to a human: ' : ''}${modelErrorSummary(finished)}`;
    return { ...base, status: 'error', score: 0, assertions: [], output: finished.output, error };
  }
  const observation: Observation = {
    input,
    output: finished.output ?? '',
    expected: sample.expected,
    status: finished.status,
    toolCalls: observed.flatMap((e) => (e.type === 'tool.call' ? [{ name: e.tool, args: e.input }] : [])),
    routes: observed.flatMap((e) => (e.type === 'subagent.routed' ? [e.to] : [])),
    steps: finished.steps,
    latencyMs: finished.latencyMs,
    tokens: base.tokens,
    costUsd: finished.costUsd,
    fallback: finished.fallback,
  };
  // The judge gets the sample's timeout: a judge whose gateway hangs errors the sample, it does not hold the eval.
  const judge = judgeWith(options.provider, options.agent, options, timeout);
  const assertions = [];
  for (const assertion of sample.assert)
    assertions.push(await evaluateAssertion(assertion, observation, { judge, dir: options.datasetDir, sandbox: options.sandbox }));
  const broken = assertions.find((a) => a.error);
  // A judge cut short by Ctrl-C did not judge: the sample is unfinished (the eval partial), not an error.
  if (broken && options.signal?.aborted) return undefined;
  const status = broken ? 'error' : assertions.every((a) => a.pass) ? 'pass' : 'fail';
  return { ...base, status, score: sampleScore(assertions), assertions, output: finished.output, error: broken?.reason ?? null };
}

function taggedIndices(samples: SampleSet, tags: readonly string[]): number[] {
  const out: number[] = [];
  let i = 0;
  for (const s of samples) {
    if (s.tags?.some((t) => tags.includes(t))) out.push(i);
    i++;
  }
  return out;
}

/** Samples from which an eval's rows are committed on a second thread from the start (~25 ms to start it). */
const THREAD_SAMPLES = 200;

/** Answers kept by the eval's cache: recent ones only, so 100,000 distinct requests do not stay in memory. */
const CACHED_ANSWERS = 2048;

/**
 * Identical requests (across samples) are answered once: the same question in flight, or asked
 * among the last CACHED_ANSWERS requests (a Map keeps insertion order: the oldest goes first).
 */
function cached(provider: ModelProvider): ModelProvider {
  const cache = new Map<string, Promise<ModelResponse>>();
  return {
    name: provider.name,
    testDouble: provider.testDouble,
    // Kept so that a timeout names the URL that did not answer, not just the provider.
    endpoint: provider.endpoint,
    complete(request, options) {
      const key = requestKey(request);
      let hit = cache.get(key);
      if (!hit) {
        hit = provider.complete(request, options);
        cache.set(key, hit);
        if (cache.size > CACHED_ANSWERS) cache.delete(cache.keys().next().value as string);
        hit.catch(() => cache.delete(key));
      } else if (options.onDelta) void hit.then((r) => r.content && options.onDelta?.(r.content));
      return hit;
    },
  };
}

/** The run's model errors in one line: "gpt-4o-mini → 401 …; claude-haiku → timeout …". */
export function modelErrorSummary(finished: Pick<Extract<RuntimeEvent, { type: 'run.finished' }>, 'modelErrors' | 'error' | 'errorClass'>): string {
  if (finished.modelErrors.length === 0) return finished.error ?? finished.errorClass ?? 'error';
  return finished.modelErrors.map((e) => `${e.model} → ${e.error}`).join('; ');
}

/** A sample's result with secrets redacted from what the agent said, its error and the assertions' reasons. */
export function redactResult(result: SampleResult, redactor: Redactor): SampleResult {
  return {
    ...result,
    output: result.output === null ? null : redactor.text(result.output),
    error: result.error === null ? null : redactor.text(result.error),
    assertions: result.assertions.map((a) => ({ ...a, reason: redactor.text(a.reason) })),
  };
}
