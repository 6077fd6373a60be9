/** What the playground is given by the command that starts it: data and actions, never files or SQL. */
import type { EvalProgress } from '../../core/eval/runner.js';
import type { RunMode, RuntimeEvent } from '../../core/runtime/events.js';

export interface AgentInfo {
  name: string;
  version: string;
  source: 'workspace' | 'registry';
  model: string;
  maxInputTokens: number | null;
  maxCostUsd: number | null;
}

export interface ProviderInfo {
  name: string;
  model: string | null;
  /** The echo provider: the UI says plainly that answers are not a model's. */
  testDouble: boolean;
}

export interface PastRun {
  runId: string;
  startedAt: number;
  status: string;
  input: string;
  version: string;
}

export interface PastEvent {
  seq: number;
  type: string;
  at: number;
  payload: Record<string, unknown>;
}

export interface PlaygroundController {
  provider: ProviderInfo;
  agents(): string[];
  /** "workspace" (when the agent has a workspace copy) and the registered versions, newest first. */
  versions(agent: string): string[];
  select(agent: string, version: string): AgentInfo;
  run(input: string, options: { mode: RunMode; signal: AbortSignal; history: { role: 'user' | 'assistant'; content: string }[] }): AsyncIterable<RuntimeEvent>;
  /** The most recent runs of an agent (a bounded list, for the ^O picker). */
  pastRuns(agent: string): PastRun[];
  /** One run by id, however old; undefined when there is no such run. */
  pastRun(runId: string): PastRun | undefined;
  pastEvents(runId: string): PastEvent[];
  /** Runs the current agent's sample set; resolves with the gate's verdict. */
  evaluate(options: { signal: AbortSignal; onProgress: (event: EvalProgress) => void }): Promise<{ passed: boolean; summary: string }>;
}
