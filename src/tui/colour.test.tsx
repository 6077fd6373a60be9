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
  // One model call, answered by the echo test double: the playground labels that turn (on a background colour).
  async *run() {
    yield {
      type: 'model.response',
      runId: 'R',
      at: 0,
      spanId: 'm',
      model: 'echo',
      key: 'k',
      content: 'hi',
      toolCalls: [],
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd: 0,
      latencyMs: 1,
    };
  },
  pastRuns: () => [],
  pastRun: () => undefined,
  pastEvents: () => [],
  evaluate: async () => ({ passed: true, summary: '' }),
  rate: (runId, rating) => ({ runId, rating }),
  suggestSample: () => [],
  saveSample: async () => ({ agent: 'triage', sampleId: 's', assertions: [], datasetFile: '', cassetteFiles: [] }),
};

function evalFrame(): string {
  let state = initialProgress('triage@0.1.0', 0);
  state = reduceProgress(state, { type: 'start', evalId: 'E', total: 2 }, 0);
  const base = { iteration: 1, runId: 'R', score: 0, output: '', latencyMs: 3, tokens: 1, costUsd: 0, tags: [], assertions: [] };
  state = reduceProgress(state, { type: 'result', done: 1, total: 2, result: { ...base, sampleId: 'a', status: 'pass', error: null } }, 10);
  state = reduceProgress(state, { type: 'result', done: 2, total: 2, result: { ...base, sampleId: 'b', status: 'error', error: 'boom' } }, 20);
  return render(<EvalView state={state} />).lastFrame() ?? '';
}

async function playgroundFrame(): Promise<string> {
  const ui = render(<App controller={controller} agent={agent} />);
  ui.stdin.write('hi\r');
  await new Promise((r) => setTimeout(r, 100));
  const frame = ui.lastFrame() ?? '';
  ui.unmount();
  return frame;
}

afterEach(() => {
  delete process.env.NO_COLOR;
});

describe('NO_COLOR', () => {
  it('colours the playground and the live eval view by default', async () => {
    expect(await playgroundFrame()).toMatch(COLOUR);
    expect(evalFrame()).toMatch(COLOUR);
  });

  it('turns every colour off in the playground and the live eval view when set', async () => {
    process.env.NO_COLOR = '1';
    const playground = await playgroundFrame();
    expect(playground).toContain('TEST DOUBLE');
    expect(playground).not.toMatch(COLOUR);
    const evals = evalFrame();
    expect(evals).toContain('1 passed');
    expect(evals).not.toMatch(COLOUR);
  });

  it('an empty NO_COLOR does not count', async () => {
    process.env.NO_COLOR = '';
    expect(await playgroundFrame()).toMatch(COLOUR);
  });
});
