/**
 * The runtime's guards and plumbing: the policy check before every model and tool use, budgets, the
 * fallback chain (next model → rule reply → needs-human), the tools offered to the model, span ids.
 */
import { randomBytes } from 'node:crypto';
import type { ToolDefinition } from '../providers/types.js';
import { type PolicyRef, policyDigest } from '../registry/policies-in-force.js';
import { decide, type PolicyAction } from '../spec/policy.js';
import type { PolicyDocument } from '../spec/schema.js';
import { type Deadline, DeadlineError } from '../util/deadline.js';
import type { Usage } from './events.js';
import type { RunFinished, RunOptions } from './runtime.js';
import type { AgentSnapshot } from './snapshot.js';
import type { Steps } from './steps.js';

export const SUBAGENT_TOOL_PREFIX = 'transfer_to_';

export interface AgentResult {
  status: RunFinished['status'];
  output: string | null;
  errorClass: string | null;
  error: string | null;
}

export type FallbackKind = 'model' | 'rule' | 'human';

export interface ModelErrorRecord {
  model: string;
  errorClass: string;
  error: string;
}

export interface RunState {
  options: RunOptions;
  signal: AbortSignal;
  started: number;
  totals: { steps: number; usage: Usage; costUsd: number };
  /** When the wall-time budget runs out (ms since the epoch; Infinity without one). */
  deadline: number;
  /** The run's own signal: the caller's cancel and the wall-time budget, whichever fires first. */
  budget: Deadline;
  /** Every model error on the way, so an answer that came from a fallback can say why. */
  modelErrors: ModelErrorRecord[];
  /** The furthest fallback taken (model < rule < human), if any. */
  fellBack: FallbackKind | null;
  /** Some model response reported no usage: the run's tokens (and cost) are partly estimated. */
  usageEstimated: boolean;
  maxTokens: number | undefined;
  maxCost: number | undefined;
  /** The policy whose quota set maxTokens / maxCost (null: the agent's own budget). */
  limitPolicy: { maxTokens: string | null; maxCostUsd: string | null };
}

/** The tightest token and cost limits of the agent's budget and its policies' quotas, and who set them. */
export function runLimits(agent: AgentSnapshot): Pick<RunState, 'maxTokens' | 'maxCost' | 'limitPolicy'> {
  const budget = agent.document.spec.budget;
  const tightest = (own: number | undefined, quota: (q: NonNullable<PolicyDocument['spec']['quotas']>) => number | undefined) => {
    let best: { max: number; policy: string | null } | undefined = own === undefined ? undefined : { max: own, policy: null };
    for (const policy of agent.policies) {
      const max = policy.spec.quotas ? quota(policy.spec.quotas) : undefined;
      if (max !== undefined && (best === undefined || max < best.max)) best = { max, policy: policy.metadata.name };
    }
    return best;
  };
  const tokens = tightest(budget?.maxTokens, (q) => q.maxTokensPerRun);
  const cost = tightest(budget?.maxCostUsd, (q) => q.maxCostUsdPerRun);
  return { maxTokens: tokens?.max, maxCost: cost?.max, limitPolicy: { maxTokens: tokens?.policy ?? null, maxCostUsd: cost?.policy ?? null } };
}

/** The policy versions a run is decided under, as its run.started event records them. */
export function policyRefsOf(agent: AgentSnapshot): PolicyRef[] {
  return agent.policyRefs ?? agent.policies.map((p) => ({ name: p.metadata.name, version: p.metadata.version, digest: policyDigest(p), source: agent.source }));
}

/**
 * Before a model call: would it take the run past its token limit? The call's input is estimated as the
 * previous call's reported input plus its output and what was added since (the conversation only grows),
 * or the assembled context's estimate for an agent's first call; a capped output (params.maxTokens) counts too.
 */
export function callWouldExceed(run: RunState, estimatedInput: number, maxOutput: number | undefined): BudgetExcess | undefined {
  const used = run.totals.usage.inputTokens + run.totals.usage.outputTokens;
  const next = used + estimatedInput + (maxOutput ?? 0);
  if (run.maxTokens !== undefined && next > run.maxTokens) {
    return { limit: run.limitPolicy.maxTokens ? 'maxTokensPerRun' : 'maxTokens', value: next, max: run.maxTokens, policy: run.limitPolicy.maxTokens };
  }
  return undefined;
}

export interface BudgetExcess {
  limit: string;
  value: number;
  max: number;
  policy: string | null;
}

export function* checkPolicy(run: RunState, agent: AgentSnapshot, spanId: string, action: PolicyAction, resource: string): Steps<boolean> {
  const decision = decide(agent.policies, action, resource);
  const { runId } = run.options;
  yield {
    type: 'policy.decision',
    runId,
    at: Date.now(),
    spanId,
    action,
    resource,
    allowed: decision.allowed,
    policy: decision.policy ?? null,
    reason: decision.reason,
  };
  if (!decision.allowed) {
    const policySpan = newSpanId();
    yield { type: 'span.started', runId, at: Date.now(), spanId: policySpan, parentSpanId: spanId, kind: 'policy', name: `deny ${action} ${resource}` };
    yield { type: 'span.ended', runId, at: Date.now(), spanId: policySpan, status: 'error', attributes: { policy: decision.policy, reason: decision.reason } };
  }
  return decision.allowed;
}

/** next model → rule reply → needs-human, as far as the agent's fallback allows. */
export function* fallBack(
  run: RunState,
  agent: AgentSnapshot,
  spanId: string,
  failure: { errorClass: string; error: string },
  nextModels: string[],
): Steps<AgentResult | { status: 'retry-next-model' }> {
  const { runId } = run.options;
  const chain = agent.document.spec.fallback?.onError ?? [];
  const next = nextModels[0];
  if (chain.includes('model') && next !== undefined) {
    yield { type: 'fallback', runId, at: Date.now(), spanId, to: 'model', detail: next, reason: failure.error };
    run.fellBack ??= 'model';
    return { status: 'retry-next-model' };
  }
  const reply = agent.document.spec.fallback?.rule?.reply;
  // A rule reply is an answer, not a success: the run failed and says which answer it gave instead.
  if (chain.includes('rule') && reply) {
    yield { type: 'fallback', runId, at: Date.now(), spanId, to: 'rule', detail: reply, reason: failure.error };
    run.fellBack = 'rule';
    return { status: 'failed', output: reply, errorClass: failure.errorClass, error: failure.error };
  }
  if (chain.includes('human')) {
    yield { type: 'fallback', runId, at: Date.now(), spanId, to: 'human', detail: 'marked needs-human', reason: failure.error };
    run.fellBack = 'human';
    return { status: 'needs-human', output: null, ...failure };
  }
  return { status: 'failed', output: null, ...failure };
}

export function overBudget(run: RunState, step: number, maxSteps: number): BudgetExcess | undefined {
  if (step > maxSteps) return { limit: 'maxSteps', value: step, max: maxSteps, policy: null };
  const tokens = run.totals.usage.inputTokens + run.totals.usage.outputTokens;
  const { maxTokens, maxCostUsd } = run.limitPolicy;
  if (run.maxTokens !== undefined && tokens > run.maxTokens)
    return { limit: maxTokens ? 'maxTokensPerRun' : 'maxTokens', value: tokens, max: run.maxTokens, policy: maxTokens };
  if (run.maxCost !== undefined && run.totals.costUsd > run.maxCost)
    return { limit: maxCostUsd ? 'maxCostUsdPerRun' : 'maxCostUsd', value: run.totals.costUsd, max: run.maxCost, policy: maxCostUsd };
  if (Date.now() >= run.deadline) return { limit: 'timeoutMs', value: Date.now() - run.started, max: run.deadline - run.started, policy: null };
  return undefined;
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts — whether or not `work` honours the signal.
 * A provider or tool that ignores cancellation can then never hold a run past its deadline or a Ctrl-C.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The run ran out of time: its own wall-time budget, or a deadline of its caller (an eval sample's
 * timeout) — a timeout, not a user's cancel, so the run fails with error class `timeout`.
 */
export function timedOut(run: RunState): boolean {
  return run.budget.timedOut || (run.signal.aborted && run.signal.reason instanceof DeadlineError);
}

export function whichDeadline(run: RunState): string {
  if (run.budget.timedOut) return `the run's wall-time budget (budget.timeoutMs ${formatDuration(run.deadline - run.started)}) ran out`;
  return (run.signal.reason as DeadlineError).message;
}

/** Seconds for people: "60 s", "1.5 s", or "250 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

export function toolDefinitions(agent: AgentSnapshot): ToolDefinition[] {
  const tools = Object.values(agent.tools).map((t) => ({
    name: t.metadata.name,
    description: t.spec.description ?? t.metadata.description ?? '',
    parameters: t.spec.input,
  }));
  const subs = (agent.document.spec.subAgents ?? []).map((s) => {
    const name = s.ref.split('@')[0] as string;
    return {
      name: `${SUBAGENT_TOOL_PREFIX}${name}`,
      description: s.route?.description ?? agent.subAgents[name]?.document.metadata.description ?? `Hand the request to ${name}.`,
      parameters: { type: 'object', properties: { input: { type: 'string', description: 'What to ask the sub-agent.' } }, required: ['input'] },
    };
  });
  return [...tools, ...subs];
}

export function minOf(values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
}

// Span ids come from a pool of random bytes refilled 4 KiB at a time: one syscall per 512 spans.
let pool = Buffer.alloc(0);
let offset = 0;

export function newSpanId(): string {
  if (offset + 8 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  offset += 8;
  return pool.toString('hex', offset - 8, offset);
}
