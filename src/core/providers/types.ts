/** What every model provider speaks: OpenAI-shaped chat requests, normalised responses, typed errors. */

import type { ToolCall, Usage } from '../runtime/events.js';
import { canonicalJson, sha256 } from '../util/canonical.js';
import type { RequestAttribution } from './attribution.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ModelParams {
  temperature?: number | undefined;
  topP?: number | undefined;
  maxTokens?: number | undefined;
  seed?: number | undefined;
  /** `auto`, `none`, `required`, or a function to force by name. */
  toolChoice?: 'auto' | 'none' | 'required' | { name: string } | undefined;
  parallelToolCalls?: boolean | undefined;
  /** `json_object`, or `json_schema` with the schema the answer must match. */
  responseFormat?:
    | { type: 'text' }
    | { type: 'json_object' }
    | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean | undefined }
    | undefined;
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high' | undefined;
  stop?: string | string[] | undefined;
  /** Sent as `max_completion_tokens` whatever the model (o-series and gpt-5 accept only this). */
  maxCompletionTokens?: number | undefined;
}

export interface ModelRequest {
  model: string;
  messages: ChatMessage[];
  tools: ToolDefinition[];
  params: ModelParams;
  /** Which agent asks, the user input of its run and the model call number (for cassettes). */
  agent: string;
  input: string;
  step: number;
  /** The conversation's chained digest, kept by the runtime so each step hashes only the new messages. */
  messagesDigest?: string;
  /** Who asks, for cost attribution at the gateway; not part of the cassette key. */
  attribution?: RequestAttribution | undefined;
}

export interface ModelResponse {
  content: string | null;
  toolCalls: ToolCall[];
  usage: Usage;
  model: string;
  /** The gateway's id of this response (`chatcmpl-…`), when it sent one. */
  id?: string | undefined;
  /** Why the model stopped, as the gateway said (`stop`, `length`, `tool_calls`, …); null when it did not say. */
  finishReason?: string | null;
  /** The model hit its token limit: the answer is cut short. */
  truncated?: boolean;
  /** The model refused; its text is also the content, so the agent's answer keeps it. */
  refusal?: string | null;
  /** The provider did not report usage, so `usage` is agentctl's estimate. */
  usageEstimated?: boolean;
}

export interface CompleteOptions {
  signal: AbortSignal;
  /** Streamed text, as it arrives. */
  onDelta?: (text: string) => void;
}

export interface ModelProvider {
  readonly name: string;
  /** A stand-in for a real model (echo): the UI labels it as such. */
  readonly testDouble: boolean;
  /**
   * Answers from this machine, at once and at no cost (echo, a cassette): an eval does not cache its
   * answers, which would only hold memory (and keep each answer alive long enough to be promoted).
   */
  readonly local?: boolean;
  /** Where requests go (a URL), for messages that name what did not answer. */
  readonly endpoint?: string;
  complete(request: ModelRequest, options: CompleteOptions): Promise<ModelResponse>;
}

export type ModelErrorClass =
  | 'timeout'
  | 'rate-limit'
  | 'server'
  | 'network'
  | 'malformed'
  | 'stream-dropped'
  | 'auth'
  | 'bad-request'
  | 'content-filter'
  | 'cassette-miss'
  | 'cancelled';

export class ModelError extends Error {
  /** How long the server asked us to wait before trying again (Retry-After), when it said. */
  retryAfterMs: number | undefined;
  constructor(
    message: string,
    readonly errorClass: ModelErrorClass,
    readonly retryable: boolean,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

const EMPTY_CHAIN = sha256('agentctl.messages/v1');

/** Extends a conversation digest by one message: digest(n) = sha256(digest(n-1) + message n). */
export function chainMessage(previous: string, message: ChatMessage): string {
  return sha256(
    previous +
      canonicalJson({ role: message.role, content: message.content ?? null, toolCalls: message.toolCalls ?? null, toolCallId: message.toolCallId ?? null }),
  );
}

export function messagesDigest(messages: readonly ChatMessage[]): string {
  return messages.reduce(chainMessage, EMPTY_CHAIN);
}

/**
 * Keys already computed, by request: one model call asks for its key several times (the runtime's event,
 * the eval's cache, the cassette), and hashing the tool schemas each time was a measurable share of an
 * offline sample. A request is never changed once made (the runtime copies the conversation into each).
 */
const keys = new WeakMap<ModelRequest, string>();

/** The cassette key: a hash of the normalised request (what is sent, not when or by whom). */
export function requestKey(request: ModelRequest): string {
  let key = keys.get(request);
  if (key === undefined) {
    key = sha256(
      canonicalJson({
        model: request.model,
        messages: request.messagesDigest ?? messagesDigest(request.messages),
        tools: request.tools.map((t) => ({ name: t.name, parameters: t.parameters })),
        params: request.params,
      }),
    );
    keys.set(request, key);
  }
  return key;
}

/** About four characters a token: close enough for budgets when a provider reports no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimateUsage(request: ModelRequest, response: Pick<ModelResponse, 'content' | 'toolCalls'>): Usage {
  const input = request.messages.reduce((n, m) => n + estimateTokens(m.content ?? '') + estimateTokens(JSON.stringify(m.toolCalls ?? '')), 0);
  const output = estimateTokens(response.content ?? '') + estimateTokens(response.toolCalls.length ? JSON.stringify(response.toolCalls) : '');
  return { inputTokens: input, outputTokens: output };
}
