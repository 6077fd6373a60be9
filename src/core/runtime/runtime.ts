/**
 * The agent loop of a dry (or live) run, as a typed event stream:
 * route by rules → assemble context under budget → call the model (policy first) → run tool calls
 * (policy first, mocks in dry runs) or hand off to sub-agents (the model's choice) → repeat until an
 * answer, a budget, a denial or an error; errors fall back: next model → rule reply → needs-human.
 * No terminal code and no database here: the caller persists and presents the events.
 */
import { costOf, type Price } from '../providers/prices.js';
import {
  type ChatMessage,
  chainMessage,
  estimateTokens,
  ModelError,
  type ModelParams,
  type ModelProvider,
  type ModelRequest,
  messagesDigest,
  requestKey,
} from '../providers/types.js';
import { agentCallResource } from '../spec/policy.js';
import { type Deadline, deadline } from '../util/deadline.js';
import { userRegex } from '../util/safe-regex.js';
import { assembleContext } from './context.js';
import type { RunMode, RuntimeEvent, SpanKind, ToolCall, Usage } from './events.js';
import {
  type AgentResult,
  abortable,
  callWouldExceed,
  checkPolicy,
  fallBack,
  formatDuration,
  newSpanId,
  overBudget,
  policyRefsOf,
  type RunState,
  runLimits,
  SUBAGENT_TOOL_PREFIX,
  timedOut,
  toolDefinitions,
  whichDeadline,
} from './guards.js';
import type { AgentSnapshot } from './snapshot.js';
import { eventsOf, type Steps, waitFor } from './steps.js';
import { executeTool } from './tools.js';

export type RunFinished = Extract<RuntimeEvent, { type: 'run.finished' }>;

export interface RunOptions {
  runId: string;
  sessionId: string;
  agent: AgentSnapshot;
  input: string;
  history?: ChatMessage[];
  provider: ModelProvider;
  mode: RunMode;
  /** Overrides the agent's model (e.g. `--model`). */
  model?: string | undefined;
  prices?: Record<string, Price>;
  /** The team the run counts against (as recorded on the run), for attribution at the gateway. */
  team?: string | undefined;
  signal?: AbortSignal;
  /**
   * When `signal` will abort on a timer of the caller's (an eval sample's timeout), in epoch ms: a
   * wall-time budget that would not end sooner then needs no timer of its own.
   */
  signalDeadlineAt?: number | undefined;
  /** Replaces tool execution (replay answers tools from the recorded run). */
  tools?: ToolExecutor | undefined;
}

export type ToolExecutor = typeof executeTool;

/** The run as an async stream of events (one await per event); `runSteps` is the run itself. */
export function runAgent(options: RunOptions): AsyncGenerator<RuntimeEvent, RunFinished> {
  return eventsOf(runSteps(options));
}

/** The run's steps: drive them (steps.ts) to run it. */
export function* runSteps(options: RunOptions): Steps<RunFinished> {
  const { runId, agent } = options;
  const signal = options.signal ?? new AbortController().signal;
  const started = Date.now();
  const totals = { steps: 0, usage: { inputTokens: 0, outputTokens: 0 } as Usage, costUsd: 0 };
  const model = options.model ?? agent.document.spec.model.ref;
  yield {
    type: 'run.started',
    runId,
    at: started,
    sessionId: options.sessionId,
    agent: agent.name,
    version: agent.version,
    digest: agent.digest,
    mode: options.mode,
    provider: options.provider.name,
    model,
    input: options.input,
    history: (options.history ?? []).map((m) => ({ role: m.role, content: m.content })),
    policies: policyRefsOf(agent),
  };
  const budget = agent.document.spec.budget;
  const timeoutMs = budget?.timeoutMs ?? Number.POSITIVE_INFINITY;
  // One deadline for the whole run: it bounds every model call and tool call, even one that ignores its signal.
  // Only when it can fire first: without a budget, or with one the caller's own deadline beats, the
  // caller's signal is the run's (no controller, listener or timer per run; an eval runs thousands).
  const ownTimer = Number.isFinite(timeoutMs) && !(options.signalDeadlineAt !== undefined && options.signalDeadlineAt <= started + timeoutMs);
  const wallTime: Deadline = ownTimer
    ? deadline([signal], timeoutMs, () => `the run's wall-time budget (budget.timeoutMs ${formatDuration(timeoutMs)}) ran out`)
    : { signal, timedOut: false, dispose: () => {} };
  const run: RunState = {
    options,
    signal: wallTime.signal,
    budget: wallTime,
    started,
    totals,
    deadline: started + timeoutMs,
    ...runLimits(agent),
    modelErrors: [],
    fellBack: null,
    usageEstimated: false,
  };
  let result: AgentResult;
  try {
    result = yield* executeAgent(run, agent, options.input, options.history ?? [], null, [agent.name], 'agent', options.model);
  } finally {
    wallTime.dispose();
  }
  const finished: RunFinished = {
    type: 'run.finished',
    runId,
    at: Date.now(),
    ...result,
    fallback: run.fellBack,
    modelErrors: run.modelErrors,
    usageEstimated: run.usageEstimated,
    steps: totals.steps,
    usage: totals.usage,
    costUsd: totals.costUsd,
    latencyMs: Date.now() - started,
  };
  yield finished;
  return finished;
}

function* executeAgent(
  run: RunState,
  agent: AgentSnapshot,
  input: string,
  history: readonly ChatMessage[],
  parentSpanId: string | null,
  callers: string[],
  kind: SpanKind,
  modelOverride?: string,
): Steps<AgentResult> {
  const { runId } = run.options;
  const spanId = newSpanId();
  yield { type: 'span.started', runId, at: Date.now(), spanId, parentSpanId, kind, name: `${agent.name}@${agent.version}` };
  const result = yield* agentLoop(run, agent, input, history, spanId, callers, modelOverride);
  yield { type: 'span.ended', runId, at: Date.now(), spanId, status: result.status === 'succeeded' ? 'ok' : 'error', attributes: { status: result.status } };
  return result;
}

function* agentLoop(
  run: RunState,
  agent: AgentSnapshot,
  input: string,
  history: readonly ChatMessage[],
  spanId: string,
  callers: string[],
  modelOverride?: string,
): Steps<AgentResult> {
  const { runId } = run.options;
  const spec = agent.document.spec;

  // Routing rules first: a matching sub-agent takes the whole request.
  for (const sub of spec.subAgents ?? []) {
    const name = sub.ref.split('@')[0] as string;
    if (sub.route?.when && userRegex(sub.route.when, 'i', 'route.when').test(input)) {
      yield { type: 'subagent.routed', runId, at: Date.now(), spanId, from: agent.name, to: name, by: 'rule', rule: sub.route.when };
      const handoff = yield* callSubAgent(run, agent, name, input, spanId, callers);
      return handoff.ok ? { status: 'succeeded', output: handoff.output, errorClass: null, error: null } : handoff.result;
    }
  }

  const contextSpan = newSpanId();
  yield { type: 'span.started', runId, at: Date.now(), spanId: contextSpan, parentSpanId: spanId, kind: 'context', name: 'context' };
  const context = assembleContext(agent, input, history);
  yield {
    type: 'context.assembled',
    runId,
    at: Date.now(),
    spanId: contextSpan,
    tokens: context.tokens,
    budget: spec.budget?.maxInputTokens ?? null,
    kept: context.kept,
    trimmed: context.trimmed,
  };
  yield {
    type: 'span.ended',
    runId,
    at: Date.now(),
    spanId: contextSpan,
    status: 'ok',
    attributes: { tokens: context.tokens, trimmed: context.trimmed.length },
  };

  const messages = context.messages;
  let digest = messagesDigest(messages);
  const push = (message: ChatMessage) => {
    messages.push(message);
    digest = chainMessage(digest, message);
  };
  const tools = toolDefinitions(agent);
  const models = [modelOverride ?? spec.model.ref, ...(spec.model.fallbacks ?? [])];
  let modelIndex = 0;
  const maxSteps = spec.budget?.maxSteps ?? 10;
  const fallback = (error: { errorClass: string; error: string }, allowModel: boolean) =>
    fallBack(run, agent, spanId, error, allowModel ? models.slice(modelIndex + 1) : []);

  // What the next call's input is expected to cost: see callWouldExceed.
  let expectedInput = context.tokens;
  for (let step = 1; ; step++) {
    if (run.signal.aborted && !timedOut(run)) return cancelled();
    const exceeded = overBudget(run, step, maxSteps) ?? callWouldExceed(run, expectedInput, maxOutputOf(spec.model.params));
    if (exceeded) {
      yield { type: 'budget.exceeded', runId, at: Date.now(), spanId, ...exceeded };
      const by = exceeded.policy ? ` (policy ${exceeded.policy})` : '';
      const failure = {
        errorClass: exceeded.policy ? 'quota-exceeded' : 'budget-exceeded',
        error: `${exceeded.policy ? 'quota' : 'budget'} exceeded${by}: ${exceeded.limit} ${exceeded.value} > ${exceeded.max}`,
      };
      const next = yield* fallback(failure, false);
      return next.status === 'retry-next-model' ? { status: 'failed', output: null, ...failure } : next;
    }
    const model = models[modelIndex] as string;
    const modelDecision = yield* checkPolicy(run, agent, spanId, 'model.use', model);
    if (!modelDecision) {
      const next = yield* fallback({ errorClass: 'policy-denied', error: `model ${model} is not allowed by policy` }, true);
      if (next.status === 'retry-next-model') {
        modelIndex++;
        step--;
        continue;
      }
      return next;
    }

    // A copy: the conversation grows after this call, the request (and its cassette key) must not.
    const request: ModelRequest = {
      model,
      messages: [...messages],
      messagesDigest: digest,
      tools,
      params: spec.model.params ?? {},
      agent: agent.name,
      input,
      step,
      attribution: { agent: agent.name, version: agent.version, digest: agent.digest, team: run.options.team, runId, sessionId: run.options.sessionId },
    };
    const key = requestKey(request);
    const modelSpan = newSpanId();
    const callStarted = Date.now();
    yield { type: 'span.started', runId, at: callStarted, spanId: modelSpan, parentSpanId: spanId, kind: 'model', name: model };
    yield {
      type: 'model.request',
      runId,
      at: callStarted,
      spanId: modelSpan,
      model,
      key,
      messages: messages.length,
      tools: tools.map((t) => t.name),
      ...requestTelemetry(request.params, run.options.provider.endpoint),
    };
    const deltas: string[] = [];
    let response: Awaited<ReturnType<ModelProvider['complete']>>;
    try {
      const call = run.options.provider.complete(request, { signal: run.signal, onDelta: (text) => deltas.push(text) });
      response = yield* waitFor(abortable(call, run.signal));
    } catch (error) {
      const failure = error instanceof ModelError ? error : new ModelError((error as Error).message, 'network', false);
      const outOfTime = timedOut(run);
      const errorClass = outOfTime ? 'timeout' : run.signal.aborted ? 'cancelled' : failure.errorClass;
      const target = run.options.provider.endpoint ?? `${run.options.provider.name}/${model}`;
      const message = outOfTime
        ? `no answer from ${target} in ${formatDuration(Date.now() - callStarted)}: ${whichDeadline(run)}`
        : `${failure.message}${failure.fix ? ` — ${failure.fix}` : ''}`;
      if (errorClass !== 'cancelled') run.modelErrors.push({ model, errorClass, error: message });
      yield { type: 'model.error', runId, at: Date.now(), spanId: modelSpan, model, error: message, errorClass };
      yield {
        type: 'span.ended',
        runId,
        at: Date.now(),
        spanId: modelSpan,
        status: 'error',
        attributes: { error: errorClass, latencyMs: Date.now() - callStarted },
      };
      if (errorClass === 'cancelled') return cancelled();
      if (errorClass === 'cassette-miss') return { status: 'failed', output: null, errorClass, error: message };
      const next = yield* fallback({ errorClass, error: message }, !outOfTime);
      if (next.status === 'retry-next-model') {
        modelIndex++;
        continue;
      }
      return next;
    }
    for (const text of deltas) yield { type: 'model.delta', runId, at: Date.now(), spanId: modelSpan, text };
    const costUsd = costOf(response.model, response.usage, run.options.prices);
    const latencyMs = Date.now() - callStarted;
    run.totals.steps++;
    run.totals.usage = {
      inputTokens: run.totals.usage.inputTokens + response.usage.inputTokens,
      outputTokens: run.totals.usage.outputTokens + response.usage.outputTokens,
    };
    run.totals.costUsd += costUsd;
    if (response.usageEstimated) run.usageEstimated = true;
    yield {
      type: 'model.response',
      runId,
      at: Date.now(),
      spanId: modelSpan,
      model: response.model,
      key,
      content: response.content,
      toolCalls: response.toolCalls,
      usage: response.usage,
      costUsd,
      latencyMs,
      ...(response.id ? { responseId: response.id } : {}),
      finishReason: response.finishReason ?? null,
      truncated: response.truncated ?? false,
      refusal: response.refusal ?? null,
      usageEstimated: response.usageEstimated ?? false,
    };
    yield {
      type: 'span.ended',
      runId,
      at: Date.now(),
      spanId: modelSpan,
      status: 'ok',
      attributes: { model: response.model, inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, costUsd, latencyMs },
    };

    if (response.toolCalls.length === 0) return { status: 'succeeded', output: response.content ?? '', errorClass: null, error: null };
    push({ role: 'assistant', content: response.content, toolCalls: response.toolCalls });
    expectedInput = response.usage.inputTokens + response.usage.outputTokens;
    for (const call of response.toolCalls) {
      const answer = yield* handleToolCall(run, agent, call, spanId, callers);
      if ('stop' in answer) return answer.stop;
      push({ role: 'tool', toolCallId: call.id, content: answer.content });
      expectedInput += estimateTokens(answer.content);
    }
  }

  function cancelled(): AgentResult {
    return { status: 'cancelled', output: null, errorClass: 'cancelled', error: 'the run was cancelled' };
  }
}

function* handleToolCall(
  run: RunState,
  agent: AgentSnapshot,
  call: ToolCall,
  spanId: string,
  callers: string[],
): Steps<{ content: string } | { stop: AgentResult }> {
  const { runId } = run.options;
  if (call.name.startsWith(SUBAGENT_TOOL_PREFIX)) {
    const target = call.name.slice(SUBAGENT_TOOL_PREFIX.length);
    yield { type: 'subagent.routed', runId, at: Date.now(), spanId, from: agent.name, to: target, by: 'model', rule: null };
    const subInput = typeof call.arguments.input === 'string' ? call.arguments.input : run.options.input;
    const handoff = yield* callSubAgent(run, agent, target, subInput, spanId, callers);
    if (!handoff.ok && handoff.result.errorClass === 'policy-denied' && onDenyOf(agent) === 'stop') return { stop: handoff.result };
    return { content: handoff.ok ? (handoff.output ?? '') : JSON.stringify({ error: handoff.result.error }) };
  }
  const tool = agent.tools[call.name];
  const toolSpan = newSpanId();
  yield { type: 'span.started', runId, at: Date.now(), spanId: toolSpan, parentSpanId: spanId, kind: 'tool', name: call.name };
  yield { type: 'tool.call', runId, at: Date.now(), spanId: toolSpan, tool: call.name, input: call.arguments, callId: call.id };
  const fail = function* (error: string): Generator<RuntimeEvent, { content: string }> {
    yield { type: 'tool.error', runId, at: Date.now(), spanId: toolSpan, tool: call.name, error };
    yield { type: 'span.ended', runId, at: Date.now(), spanId: toolSpan, status: 'error', attributes: { error } };
    return { content: JSON.stringify({ error }) };
  };
  if (!tool) {
    return yield* fail(`the model called "${call.name}", which ${agent.name} does not have; its tools: ${Object.keys(agent.tools).join(', ') || 'none'}`);
  }
  const allowed = yield* checkPolicy(run, agent, toolSpan, 'tool.call', call.name);
  if (!allowed) {
    const denied = yield* fail(`${call.name} is not allowed by policy`);
    if (onDenyOf(agent) === 'stop')
      return { stop: { status: 'failed', output: null, errorClass: 'policy-denied', error: `tool ${call.name} is not allowed by policy` } };
    return denied;
  }
  const started = Date.now();
  const execute = run.options.tools ?? executeTool;
  let outcome: Awaited<ReturnType<ToolExecutor>>;
  try {
    outcome = yield* waitFor(
      abortable(execute(tool, call.arguments, { live: run.options.mode === 'live', signal: run.signal, toolDir: tool.dir }), run.signal),
    );
  } catch (error) {
    if (!run.signal.aborted) throw error;
    if (!timedOut(run)) {
      yield* fail('cancelled');
      return { stop: { status: 'cancelled', output: null, errorClass: 'cancelled', error: 'the run was cancelled' } };
    }
    const message = `no answer from tool ${call.name} in ${formatDuration(Date.now() - started)}: ${whichDeadline(run)}`;
    yield* fail(message);
    return { stop: { status: 'failed', output: null, errorClass: 'timeout', error: message } };
  }
  if (!outcome.ok) return yield* fail(outcome.error);
  yield { type: 'tool.result', runId, at: Date.now(), spanId: toolSpan, tool: call.name, output: outcome.output, source: outcome.source };
  yield { type: 'span.ended', runId, at: Date.now(), spanId: toolSpan, status: 'ok', attributes: { source: outcome.source, latencyMs: Date.now() - started } };
  return { content: JSON.stringify(outcome.output) };
}

function* callSubAgent(
  run: RunState,
  agent: AgentSnapshot,
  name: string,
  input: string,
  spanId: string,
  callers: string[],
): Steps<{ ok: true; output: string | null } | { ok: false; result: AgentResult }> {
  const sub = agent.subAgents[name];
  const refuse = (errorClass: string, error: string) => ({ ok: false as const, result: { status: 'failed' as const, output: null, errorClass, error } });
  if (!sub) return refuse('unknown-subagent', `${agent.name} has no sub-agent named "${name}"`);
  if (!(yield* checkPolicy(run, agent, spanId, 'agent.call', agentCallResource(sub.owner, name)))) {
    return refuse('policy-denied', `${agent.name} may not call sub-agent ${sub.owner}/${name}: denied by policy`);
  }
  if (callers.includes(name)) {
    const error = `sub-agent cycle refused: ${[...callers, name].join(' → ')} routes back to a caller`;
    yield { type: 'model.error', runId: run.options.runId, at: Date.now(), spanId, model: name, error, errorClass: 'subagent-cycle' };
    return refuse('subagent-cycle', error);
  }
  const result = yield* executeAgent(run, sub, input, [], spanId, [...callers, name], 'sub-agent');
  return result.status === 'succeeded' ? { ok: true, output: result.output } : { ok: false, result };
}

function onDenyOf(agent: AgentSnapshot): 'stop' | 'continue' {
  return agent.policies.some((p) => p.spec.onDeny === 'continue') && !agent.policies.some((p) => p.spec.onDeny === 'stop') ? 'continue' : 'stop';
}

/** A capped output length counts against the token limit before the call (params as the provider gets them). */
function maxOutputOf(params: Record<string, unknown> | undefined): number | undefined {
  const cap = params?.maxTokens ?? params?.max_tokens;
  return typeof cap === 'number' ? cap : undefined;
}

/** What a trace says of a model request (gen_ai.request.*, server.*): the sampling parameters and the gateway URL. */
function requestTelemetry(params: ModelParams, endpoint: string | undefined): Pick<Extract<RuntimeEvent, { type: 'model.request' }>, 'params' | 'endpoint'> {
  const { temperature, topP, maxTokens, maxCompletionTokens, seed, stop } = params;
  const picked = Object.fromEntries(Object.entries({ temperature, topP, maxTokens, maxCompletionTokens, seed, stop }).filter(([, v]) => v !== undefined));
  return { ...(Object.keys(picked).length ? { params: picked } : {}), ...(endpoint ? { endpoint } : {}) };
}

export { newSpanId } from './guards.js';
