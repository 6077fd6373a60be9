/** sampleFromRun: a run and its events in, a sample (and every suggestion) out; nothing written. */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events/decode.js';
import type { RunRow } from '../events/run-store.js';
import { parseDataset, sampleSchema } from './dataset.js';
import { appendSampleText } from './sample-file.js';
import { sampleFromRun } from './sample-from-run.js';

const runId = '01JABCDEFGHJKMNPQRSTVWXYZ0';
const run: RunRow = {
  runId,
  sessionId: 's1',
  agent: 'triage',
  version: '0.1.0',
  digest: 'sha256:x',
  owner: 'team-qa',
  team: 'team-qa',
  actor: 'alice',
  source: 'workspace',
  mode: 'dry',
  provider: 'cassette',
  model: 'gpt-4o-mini',
  snapshot: 'sha256:y',
  replayOf: null,
  input: 'What is our refund policy?',
  status: 'succeeded',
  output: 'Refunds are given within 30 days of purchase.\nAsk me anything else.',
  errorClass: null,
  error: null,
  fallback: null,
  startedAt: 1,
  endedAt: 2,
  latencyMs: 1,
  steps: 2,
  tokensIn: 1,
  tokensOut: 1,
  costUsd: 0,
};

const at = 1;
const usage = { inputTokens: 1, outputTokens: 1 };
const response = (key: string, content: string | null) =>
  ({
    runId,
    seq: 0,
    at,
    type: 'model.response',
    spanId: 'm',
    model: 'gpt-4o-mini',
    key,
    content,
    toolCalls: [],
    usage,
    costUsd: 0,
    latencyMs: 1,
  }) as StoredEvent;
const request = (key: string) => ({ runId, seq: 0, at, type: 'model.request', spanId: 'm', model: 'gpt-4o-mini', key, messages: 2, tools: [] }) as StoredEvent;

function events(extra: Partial<Record<'history', unknown>> = {}): StoredEvent[] {
  return [
    {
      runId,
      seq: 1,
      at,
      type: 'run.started',
      sessionId: 's1',
      agent: 'triage',
      version: '0.1.0',
      digest: 'd',
      mode: 'dry',
      provider: 'cassette',
      model: 'm',
      input: run.input,
      history: [],
      ...extra,
    },
    request('k1'),
    response('k1', null),
    { runId, seq: 4, at, type: 'subagent.routed', spanId: 'a', from: 'triage', to: 'billing', by: 'rule', rule: 'r' },
    { runId, seq: 5, at, type: 'tool.call', spanId: 't', tool: 'lookup', input: { query: 'refund policy' } },
    { runId, seq: 6, at, type: 'tool.result', spanId: 't', tool: 'lookup', output: { passage: '30 days' }, source: 'mock' },
    { runId, seq: 7, at, type: 'tool.call', spanId: 't', tool: 'lookup', input: { query: 'refund policy' } },
    { runId, seq: 8, at, type: 'tool.result', spanId: 't', tool: 'lookup', output: { passage: '30 days' }, source: 'mock' },
    { runId, seq: 9, at, type: 'tool.call', spanId: 't', tool: 'ticket', input: { id: 7 } },
    { runId, seq: 10, at, type: 'tool.error', spanId: 't', tool: 'ticket', error: 'no such ticket' },
    request('k2'),
    response('k2', run.output),
  ] as StoredEvent[];
}

describe('sampleFromRun', () => {
  it('turns tool answers into mocks, suggests every check, and asserts tool-called + contains by default', () => {
    const { sample, suggestions } = sampleFromRun(run, events(), { existingIds: new Set(['what-is-our-refund-policy']) });
    expect(sampleSchema.parse(sample)).toEqual(sample);
    expect(sample.id).toBe('what-is-our-refund-policy-2'); // unique against the set's ids
    expect(sample.input).toBe('What is our refund policy?');
    expect(sample.mocks).toEqual({
      lookup: [{ when: { query: 'refund policy' }, output: { passage: '30 days' } }], // the repeated call once
      ticket: [{ when: { id: 7 }, error: 'no such ticket' }],
    });
    expect(suggestions.map((s) => s.kind)).toEqual(['routed-to', 'tool-called', 'tool-called', 'contains', 'equals']);
    expect(sample.assert).toEqual([
      { type: 'tool-called', name: 'lookup', args: { query: 'refund policy' } },
      { type: 'tool-called', name: 'ticket', args: { id: 7 } },
      { type: 'contains', value: 'Refunds are given within 30 days of purchase.' },
    ]);
  });

  it('keeps a session turn whole: the earlier turns and then the input, as a conversation', () => {
    const history = [
      { role: 'user', content: 'Hello!' },
      { role: 'assistant', content: 'Hi, ask me anything.' },
    ];
    const { sample } = sampleFromRun(run, events({ history }), { assert: ['routed-to', 'equals'] });
    expect(sample.input).toEqual([...history, { role: 'user', content: run.input }]);
    expect(sample.assert).toEqual([
      { type: 'routed-to', agent: 'billing' },
      { type: 'equals', value: run.output },
    ]);
  });

  it('adds the judge the user typed, and refuses a judge without a rubric', () => {
    const { sample } = sampleFromRun(run, events(), { assert: ['judge'], rubric: 'Names the refund window' });
    expect(sample.assert).toEqual([{ type: 'judge', rubric: 'Names the refund window' }]);
    expect(() => sampleFromRun(run, events(), { assert: ['judge'] })).toThrow(/needs its rubric/);
  });

  it('refuses runs still running, runs that failed, and runs whose model responses are missing', () => {
    expect(() => sampleFromRun({ ...run, status: 'running' }, events())).toThrow(/still running/);
    expect(() => sampleFromRun({ ...run, status: 'failed', errorClass: 'cassette-miss', output: null }, events())).toThrow(
      /did not succeed \(failed: cassette-miss\)/,
    );
    const missing = events().filter((e) => !(e.type === 'model.response' && e.key === 'k2'));
    expect(() => sampleFromRun(run, missing)).toThrow(/missing recorded model responses \(1 of 2/);
  });

  it('appends to a YAML sample set as text: comments and hand formatting stay, and the file still loads', () => {
    const source = '# my samples\nsamples:\n  - { id: a, input: hi, assert: [{ type: contains, value: hi }] } # flow, by hand\n';
    const { sample } = sampleFromRun(run, events());
    const text = appendSampleText(source, sample, false);
    expect(text.startsWith(source)).toBe(true);
    expect(text).not.toContain('*a'); // no YAML aliases: specs refuse them
    expect(text).toContain('  - id: what-is-our-refund-policy\n');
    const loaded = parseDataset(text, '/w/samples.yaml', 'samples.yaml');
    expect(loaded.diagnostics).toEqual([]);
    expect([...loaded.samples].map((s) => s.id)).toEqual(['a', 'what-is-our-refund-policy']);
    const jsonl = appendSampleText('{"id":"a","input":"hi","assert":[{"type":"contains","value":"hi"}]}', sample, true);
    expect(
      jsonl
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).id),
    ).toEqual(['a', 'what-is-our-refund-policy']);
  });
});
