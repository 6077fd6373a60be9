/** The playground's test double of a controller (the TUI's only way into core), shared by the App tests. */

import type { RuntimeEvent } from '../../src/core/runtime/events.js';
import type { PlaygroundController } from '../../src/tui/playground/types.js';
import { runFinished } from './run-finished.js';
import { runStarted } from './run-started.js';

export const agent = { name: 'triage', version: '0.1.0', source: 'workspace' as const, model: 'gpt-4o-mini', maxInputTokens: 8000, maxCostUsd: 0.05 };

/** How the fake run goes: which model answered (echo is the test double) and whether its tool failed. */
export interface Script {
  answeredBy?: string;
  toolFails?: boolean;
}

export interface Recorded {
  inputs: string[];
  rated: { runId: string; rating: string; note: string | undefined }[];
  saved: { runId: string; assert: string[] }[];
}

export function controller(overrides: Partial<PlaygroundController> = {}, script: Script = {}): PlaygroundController & Recorded {
  const answeredBy = script.answeredBy ?? 'echo';
  const inputs: string[] = [];
  const rated: Recorded['rated'] = [];
  const saved: Recorded['saved'] = [];
  return {
    inputs,
    rated,
    saved,
    provider: { name: 'echo', model: null, testDouble: true },
    agents: () => ['triage', 'helper'],
    versions: () => ['workspace', '0.1.0'],
    describeVersion: (_agent: string, v: string) => (v === '0.1.0' ? '0.1.0  prod · active' : v),
    select: (name, version) => ({ ...agent, name, version }),
    async *run(input) {
      inputs.push(input);
      const R = 'RUN1';
      const events: RuntimeEvent[] = [
        runStarted(R, { input }),
        { type: 'span.started', runId: R, at: 0, spanId: 'a', parentSpanId: null, kind: 'agent', name: 'triage@0.1.0' },
        { type: 'span.started', runId: R, at: 0, spanId: 'm', parentSpanId: 'a', kind: 'model', name: answeredBy },
        {
          type: 'model.response',
          runId: R,
          at: 0,
          spanId: 'm',
          model: answeredBy,
          key: 'k',
          content: `answer to ${input}`,
          toolCalls: [],
          usage: { inputTokens: 3, outputTokens: 4 },
          costUsd: 0,
          latencyMs: 1,
        },
        { type: 'span.ended', runId: R, at: 0, spanId: 'm', status: 'ok', attributes: {} },
        { type: 'span.started', runId: R, at: 0, spanId: 't', parentSpanId: 'a', kind: 'tool', name: 'triage-lookup' },
        { type: 'tool.call', runId: R, at: 0, spanId: 't', tool: 'triage-lookup', input: { q: 'refund' } },
        script.toolFails
          ? { type: 'tool.error', runId: R, at: 1, spanId: 't', tool: 'triage-lookup', error: 'tracker unreachable' }
          : { type: 'tool.result', runId: R, at: 1, spanId: 't', tool: 'triage-lookup', output: { passage: 'mocked' }, source: 'mock' },
        { type: 'span.ended', runId: R, at: 2, spanId: 't', status: script.toolFails ? 'error' : 'ok', attributes: {} },
        { type: 'span.ended', runId: R, at: 3, spanId: 'a', status: 'ok', attributes: {} },
        runFinished(R, 4, { output: `answer to ${input}`, latencyMs: 4 }),
      ];
      for (const e of events) yield e;
    },
    rate(runId, rating, note) {
      rated.push({ runId, rating, note });
      return { runId, rating };
    },
    suggestSample: () => [
      { kind: 'tool-called', label: 'tool-called triage-lookup {"q":"refund"}', chosen: true },
      { kind: 'contains', label: 'contains "answer to refund?"', chosen: true },
      { kind: 'equals', label: 'equals "answer to refund?"', chosen: false },
    ],
    async saveSample(runId, assert) {
      saved.push({ runId, assert });
      return { agent: 'triage', sampleId: 'refund', assertions: assert, datasetFile: 'agents/triage/evals/samples.yaml', cassetteFiles: [] };
    },
    pastRuns: () => [{ runId: 'RUN0', startedAt: 0, status: 'failed', input: 'earlier', version: '0.1.0' }],
    pastRun: (runId) => (runId === 'RUN0' ? { runId: 'RUN0', startedAt: 0, status: 'failed', input: 'earlier', version: '0.1.0' } : undefined),
    pastEvents: () => [
      { seq: 1, type: 'run.started', at: 0, payload: {} },
      { seq: 2, type: 'tool.call', at: 1, payload: { tool: 'x' } },
    ],
    async evaluate({ onProgress }) {
      onProgress({ type: 'start', evalId: 'E', total: 2 });
      const base = { iteration: 1, score: 0, output: '', latencyMs: 3, tokens: 1, costUsd: 0, tags: [] };
      onProgress({
        type: 'result',
        done: 1,
        total: 2,
        result: { ...base, sampleId: 'good', runId: 'RUN0', status: 'pass', score: 1, assertions: [], error: null },
      });
      onProgress({
        type: 'result',
        done: 2,
        total: 2,
        result: {
          ...base,
          sampleId: 'bad',
          runId: 'RUN0',
          status: 'fail',
          assertions: [{ type: 'contains', pass: false, score: 0, weight: 1, reason: 'output lacks "refund"' }],
          error: null,
        },
      });
      return { passed: false, summary: '1/2 passed' };
    },
    ...overrides,
  };
}

export const tick = (ms = 80) => new Promise((r) => setTimeout(r, ms));

/** ink-testing-library's stdout is 100 columns and has no rows: set both, then tell Ink and the app. */
export function resize(stdout: NodeJS.EventEmitter, columns: number, rows: number): void {
  Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
  stdout.emit('resize');
}
