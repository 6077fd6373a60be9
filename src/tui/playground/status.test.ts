import { describe, expect, it } from 'vitest';
import { wrapText } from './layout.js';
import { initialState, type PlaygroundState, reduce } from './state.js';
import { elide, helpLines, statusSegments } from './status.js';

const agent = {
  name: 'customer-support-triage',
  version: '12.34.567-rc.1',
  source: 'registry' as const,
  model: 'gpt-4o-mini',
  maxInputTokens: 128000,
  maxCostUsd: 0.25,
};
const provider = { name: 'cassette+echo', model: 'gpt-4o-mini-2024-07-18', testDouble: true };
const text = (state: PlaygroundState, width: number) =>
  statusSegments(state, width)
    .map((s) => s.text)
    .join('');

function answeredByEcho(): PlaygroundState {
  let state = reduce(initialState(agent, provider), { type: 'run-start', input: 'hi' });
  state = reduce(state, {
    type: 'events',
    events: [
      {
        type: 'model.response',
        runId: 'R',
        at: 0,
        spanId: 'm',
        model: 'echo',
        key: 'k',
        content: '(echo test double) hi',
        toolCalls: [],
        usage: { inputTokens: 12345, outputTokens: 678 },
        costUsd: 0.1234,
        latencyMs: 12345,
      },
    ],
  });
  return state;
}

describe('status line', () => {
  it('shows everything when there is room', () => {
    const line = text(answeredByEcho(), 200);
    expect(line).toBe(
      "customer-support-triage@12.34.567-rc.1 (registry) · cassette+echo/gpt-4o-mini-2024-07-18 TEST DOUBLE: answers are not a model's · tokens 13023/128000 · $0.1234/0.25 · 12345 ms · DRY",
    );
  });

  for (const width of [80, 60, 40, 30, 20]) {
    it(`is at most ${width} columns, keeping the mode and the test-double label`, () => {
      const line = text(answeredByEcho(), width);
      expect(line.length).toBeLessThanOrEqual(width);
      expect(line).toMatch(/DRY$/);
      expect(line).toMatch(/TEST DOUBLE|DOUBLE/);
      expect(line.startsWith('cust')).toBe(true);
    });
  }

  it('at 80 columns drops the source and latency before the agent, tokens and cost', () => {
    const line = text(answeredByEcho(), 80);
    expect(line).not.toContain('(registry)');
    expect(line).not.toContain('12345 ms');
    expect(line).toContain('tokens 13023');
    expect(line).toContain('$0.1234');
  });

  it('says nothing of a test double before the double has answered', () => {
    expect(text(initialState(agent, provider), 200)).not.toContain('DOUBLE');
  });

  it('breaks the key help between keys, never inside one', () => {
    const state = initialState(agent, provider);
    expect(helpLines(state, 200)).toHaveLength(1);
    const narrow = helpLines(state, 40);
    expect(narrow.length).toBeGreaterThan(1);
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(40);
    expect(narrow.join(' · ')).toBe(helpLines(state, 200)[0]);
  });

  it('elides with one character and wraps long text at the width', () => {
    expect(elide('abcdef', 4)).toBe('abc…');
    expect(elide('abc', 4)).toBe('abc');
    expect(wrapText('a'.repeat(25), 10, '  ')).toEqual(['a'.repeat(10), `  ${'a'.repeat(8)}`, `  ${'a'.repeat(7)}`]);
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
  });
});
