/** What the playground is given (by core/session/playground.ts): data and actions, never files or SQL. */
import type { EvalProgress } from '../eval/runner.js';
import type { SuggestionKind } from '../eval/sample-from-run.js';
import type { RunMode, RuntimeEvent } from '../runtime/events.js';

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

export type SampleKind = SuggestionKind;

/** One assertion a run suggests for its sample, as the ^S picker shows it. */
export interface SampleChoice {
  kind: SampleKind;
  label: string;
  /** Chosen unless the user says otherwise (the `samples add` defaults). */
  chosen: boolean;
}

export interface SavedSample {
  agent: string;
  sampleId: string;
  assertions: string[];
  /** Relative to the workspace root. */
  datasetFile: string;
  cassetteFiles: string[];
}

export interface PlaygroundController {
  provider: ProviderInfo;
  agents(): string[];
  /** "workspace" (when the agent has a workspace copy) and the registered versions, newest first. */
  versions(agent: string): string[];
  /** How the version picker shows a version: its stages and status ("0.2.0  prod · active"). */
  describeVersion(agent: string, version: string): string;
  select(agent: string, version: string): AgentInfo;
  /**
   * One turn of the conversation. The conversation is a session in the event log (as with `run --session`):
   * its earlier turns come from there, so `history` is only what the screen shows and is not sent twice.
   */
  run(input: string, options: { mode: RunMode; signal: AbortSignal; history?: { role: 'user' | 'assistant'; content: string }[] }): AsyncIterable<RuntimeEvent>;
  pastRuns(agent: string): PastRun[];
  /** One run by id, wherever it is in the log (an eval sample's run may be far behind the latest). */
  pastRun(runId: string): PastRun | undefined;
  pastEvents(runId: string): PastEvent[];
  /** ^F: rates a run (the last answer) good or bad, with an optional note, as the acting user. */
  rate(runId: string, rating: 'good' | 'bad', note?: string): { runId: string; rating: 'good' | 'bad' };
  /** ^S, first step: the assertions a run suggests for a sample (nothing is written). */
  suggestSample(runId: string): SampleChoice[];
  /** ^S, second step: adds the run to its agent's sample set with the chosen assertions; says where. */
  saveSample(runId: string, assert: SampleKind[]): Promise<SavedSample>;
  /** Runs the current agent's sample set; resolves with the gate's verdict. */
  evaluate(options: { signal: AbortSignal; onProgress: (event: EvalProgress) => void }): Promise<{ passed: boolean; summary: string }>;
}

/**
 * Whether a model call was answered by the echo test double (providers/echo.ts answers as model "echo";
 * session.test.ts keeps the two in step). The playground labels a turn only when this happened, not
 * whenever its provider could fall back to the double.
 */
export function answeredByTestDouble(event: RuntimeEvent): boolean {
  return event.type === 'model.response' && event.model === TEST_DOUBLE_MODEL;
}

export const TEST_DOUBLE_MODEL = 'echo';
