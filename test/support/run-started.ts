/** A run's first event for tests that feed runs to the playground or the event log: a dry run of triage@0.1.0. */
import type { RuntimeEvent } from '../../src/core/runtime/events.js';

type RunStarted = Extract<RuntimeEvent, { type: 'run.started' }>;

export function runStarted(runId: string, fields: Partial<RunStarted> = {}): RunStarted {
  return {
    type: 'run.started',
    runId,
    at: 0,
    sessionId: 's',
    agent: 'triage',
    version: '0.1.0',
    digest: 'd',
    mode: 'dry',
    provider: 'echo',
    model: 'm',
    input: 'hi',
    history: [],
    ...fields,
  };
}
