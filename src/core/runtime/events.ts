/**
 * The runtime's typed event stream: what a run emits, step by step. The CLI prints it, the playground
 * reduces it into its screen, and the event log persists it — all from the same stream.
 */
import type { PolicyRef } from '../registry/policies-in-force.js';

export type SpanKind = 'agent' | 'model' | 'tool' | 'sub-agent' | 'policy' | 'context';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'needs-human' | 'cancelled' | 'interrupted';
export type RunMode = 'dry' | 'live';

export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

interface Base {
  runId: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export type RuntimeEvent =
  | (Base & {
      type: 'run.started';
      sessionId: string;
      agent: string;
      version: string;
      digest: string;
      mode: RunMode;
      provider: string;
      model: string;
      input: string;
      /** The conversation before this input, as it went into the context (a session's earlier turns, a sample's). */
      history: { role: 'system' | 'user' | 'assistant' | 'tool'; content: string | null }[];
      /** The Policy versions the run ran under (empty in logs written before they were recorded). */
      policies?: PolicyRef[];
    })
  | (Base & { type: 'span.started'; spanId: string; parentSpanId: string | null; kind: SpanKind; name: string })
  | (Base & { type: 'span.ended'; spanId: string; status: 'ok' | 'error'; attributes: Record<string, unknown> })
  | (Base & { type: 'context.assembled'; spanId: string; tokens: number; budget: number | null; kept: string[]; trimmed: string[] })
  | (Base & {
      type: 'model.request';
      spanId: string;
      model: string;
      key: string;
      messages: number;
      tools: string[];
      /** The sampling parameters sent (absent in older logs): traces carry them as gen_ai.request.*. */
      params?: { temperature?: number; topP?: number; maxTokens?: number; maxCompletionTokens?: number; seed?: number; stop?: string | string[] };
      /** Where the request went (the gateway URL; absent for local doubles and in older logs): server.address/port. */
      endpoint?: string;
    })
  | (Base & { type: 'model.delta'; spanId: string; text: string })
  | (Base & {
      type: 'model.response';
      spanId: string;
      model: string;
      key: string;
      content: string | null;
      toolCalls: ToolCall[];
      usage: Usage;
      costUsd: number;
      latencyMs: number;
      /** The provider's id of this response (`chatcmpl-…`), when it sent one; absent in older logs. */
      responseId?: string | null;
      /** Why the model stopped (`stop`, `length`, `tool_calls`…), when the provider said; absent in older logs. */
      finishReason?: string | null;
      /** The model hit its token limit: the answer is cut short. */
      truncated?: boolean;
      /** The model refused; the refusal text is also the content. */
      refusal?: string | null;
      /** The provider reported no usage: `usage` is an estimate. */
      usageEstimated?: boolean;
    })
  | (Base & { type: 'model.error'; spanId: string; model: string; error: string; errorClass: string })
  | (Base & {
      type: 'policy.decision';
      spanId: string;
      action: 'tool.call' | 'model.use' | 'agent.call';
      resource: string;
      allowed: boolean;
      policy: string | null;
      reason: string;
    })
  | (Base & {
      type: 'tool.call';
      spanId: string;
      tool: string;
      input: Record<string, unknown>;
      /** The model's id of this call (gen_ai.tool.call.id); absent in older logs. */
      callId?: string;
    })
  | (Base & { type: 'tool.result'; spanId: string; tool: string; output: unknown; source: 'mock' | 'live' })
  | (Base & { type: 'tool.error'; spanId: string; tool: string; error: string })
  | (Base & { type: 'subagent.routed'; spanId: string; from: string; to: string; by: 'rule' | 'model'; rule: string | null })
  | (Base & {
      type: 'budget.exceeded';
      spanId: string;
      limit: string;
      value: number;
      max: number;
      /** The policy whose quota set the limit (null: the agent's own budget; absent in older logs). */
      policy?: string | null;
    })
  | (Base & { type: 'fallback'; spanId: string; to: 'model' | 'rule' | 'human'; detail: string; reason: string })
  | (Base & {
      type: 'run.finished';
      status: Exclude<RunStatus, 'running' | 'interrupted'>;
      /** The answer; after a rule fallback, the rule's reply (and the status is failed). */
      output: string | null;
      errorClass: string | null;
      error: string | null;
      /** The furthest fallback taken: a next model that answered (a success with a warning), a rule reply or a human. */
      fallback: 'model' | 'rule' | 'human' | null;
      /** Every model error on the way, oldest first. */
      modelErrors: { model: string; errorClass: string; error: string }[];
      /** Some model response reported no usage: tokens and cost are partly estimated. */
      usageEstimated?: boolean;
      steps: number;
      usage: Usage;
      costUsd: number;
      latencyMs: number;
    });

export type RuntimeEventType = RuntimeEvent['type'];

/** Events the UI shows but the log does not keep (streamed text arrives again, whole, in model.response). */
export function isEphemeral(event: RuntimeEvent): boolean {
  return event.type === 'model.delta';
}
