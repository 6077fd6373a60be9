/** A run's last event for tests that write runs through the event log: succeeded, one step, no errors. */
import type { RuntimeEvent } from '../../src/core/runtime/events.js';

type RunFinished = Extract<RuntimeEvent, { type: 'run.finished' }>;

export function runFinished(runId: string, at: number, fields: Partial<RunFinished> = {}): RunFinished {
  return {
    type: 'run.finished',
    runId,
    at,
    status: 'succeeded',
    output: 'done',
    errorClass: null,
    error: null,
    fallback: null,
    modelErrors: [],
    steps: 1,
    usage: { inputTokens: 3, outputTokens: 4 },
    costUsd: 0,
    latencyMs: 7,
    ...fields,
  };
}
