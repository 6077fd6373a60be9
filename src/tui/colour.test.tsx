import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EvalView } from './eval/EvalView.js';
import { initialProgress, reduceProgress } from './eval/progress.js';
import { App } from './playground/App.js';
import type { PlaygroundController } from './playground/types.js';

// Ink's chalk decides its colour level when it is first imported: force colours on, so that only
// NO_COLOR can turn them off (a test terminal would otherwise have none either way).
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});

/** SGR colour parameters: 30–37, 39, 40–47, 49, 90–97, 100–107, 38;…, 48;…  (bold/dim/inverse are not colour). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const COLOUR = /\u001b\[(?:\d+;)*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;\d+)*m/;

const agent = { name: 'triage', version: '0.1.0', source: 'workspace' as const, model: 'gpt-4o-mini', maxInputTokens: 8000, maxCostUsd: 0.05 };
const controller: PlaygroundController = {
  provider: { name: 'echo', model: null, testDouble: true },
  agents: () => ['triage'],
  versions: () => ['workspace'],
  describeVersion: (_agent: string, v: string) => v,
  select: () => agent,
  async *run() {},
  pastRuns: () => [],
  pastRun: () => undefined,
  pastEvents: () => [],
  evaluate: async () => ({ passed: true, summary: '' }),
};

function evalFrame(): string {
  let state = initialProgress('triage@0.1.0', 0);
  state = reduceProgress(state, { type: 'start', evalId: 'E', total: 2 }, 0);
  const base = { iteration: 1, runId: 'R', score: 0, output: '', latencyMs: 3, tokens: 1, costUsd: 0, tags: [], assertions: [] };
  state = reduceProgress(state, { type: 'result', done: 1, total: 2, result: { ...base, sampleId: 'a', status: 'pass', error: null } }, 10);
  state = reduceProgress(state, { type: 'result', done: 2, total: 2, result: { ...base, sampleId: 'b', status: 'error', error: 'boom' } }, 20);
  return render(<EvalView state={state} />).lastFrame() ?? '';
}

const playgroundFrame = () => render(<App controller={controller} agent={agent} />).lastFrame() ?? '';

afterEach(() => {
  delete process.env.NO_COLOR;
});

describe('NO_COLOR', () => {
  it('colours the playground and the live eval view by default', () => {
    expect(playgroundFrame()).toMatch(COLOUR);
    expect(evalFrame()).toMatch(COLOUR);
  });

  it('turns every colour off in the playground and the live eval view when set', () => {
    process.env.NO_COLOR = '1';
    const playground = playgroundFrame();
    expect(playground).toContain('TEST DOUBLE');
    expect(playground).not.toMatch(COLOUR);
    const evals = evalFrame();
    expect(evals).toContain('1 passed');
    expect(evals).not.toMatch(COLOUR);
  });

  it('an empty NO_COLOR does not count', () => {
    process.env.NO_COLOR = '';
    expect(playgroundFrame()).toMatch(COLOUR);
  });
});
