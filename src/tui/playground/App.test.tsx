import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { RuntimeEvent } from '../../core/runtime/events.js';
import { App } from './App.js';
import type { PlaygroundController } from './types.js';

const agent = { name: 'triage', version: '0.1.0', source: 'workspace' as const, model: 'gpt-4o-mini', maxInputTokens: 8000, maxCostUsd: 0.05 };

/** How the fake run goes: which model answered (echo is the test double) and whether its tool failed. */
interface Script {
  answeredBy?: string;
  toolFails?: boolean;
}

interface Recorded {
  inputs: string[];
  rated: { runId: string; rating: string; note: string | undefined }[];
  saved: { runId: string; assert: string[] }[];
}

function controller(overrides: Partial<PlaygroundController> = {}, script: Script = {}): PlaygroundController & Recorded {
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
        {
          type: 'run.started',
          runId: R,
          at: 0,
          sessionId: 's',
          agent: 'triage',
          version: '0.1.0',
          digest: 'd',
          mode: 'dry',
          provider: 'echo',
          model: 'm',
          input,
          history: [],
        },
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
        {
          type: 'run.finished',
          runId: R,
          at: 4,
          status: 'succeeded',
          output: `answer to ${input}`,
          errorClass: null,
          error: null,
          fallback: null,
          modelErrors: [],
          steps: 1,
          usage: { inputTokens: 3, outputTokens: 4 },
          costUsd: 0,
          latencyMs: 4,
        },
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

const tick = (ms = 80) => new Promise((r) => setTimeout(r, ms));

describe('<App>', () => {
  it('draws the first frame from the agent and provider alone: pickers, past runs and evals load on their key', async () => {
    // Every loader fails the test if the first frame reaches for it (the start-up budget: issue 12).
    const called: string[] = [];
    const deferred = <T,>(name: string, value: T) => {
      called.push(name);
      return value;
    };
    const base = controller();
    const ctl = controller({
      agents: () => deferred('agents', base.agents()),
      versions: (a) => deferred('versions', base.versions(a)),
      describeVersion: (a, v) => deferred('describeVersion', base.describeVersion(a, v)),
      pastRuns: (a) => deferred('pastRuns', base.pastRuns(a)),
      pastRun: (id) => deferred('pastRun', base.pastRun(id)),
      pastEvents: (id) => deferred('pastEvents', base.pastEvents(id)),
      evaluate: (o) => deferred('evaluate', base.evaluate(o)),
    });
    const ui = render(<App controller={ctl} agent={agent} />);
    expect(ui.lastFrame()).toContain('enter send');
    expect(ui.lastFrame()).toContain('triage@0.1.0');
    await tick();
    expect(called).toEqual([]);
    ui.stdin.write('\u000f'); // ctrl-o: now, and only now, the past runs are read
    await tick();
    expect(called).toEqual(['pastRuns']);
    expect(ui.lastFrame()).toContain('earlier');
    ui.unmount();
  });

  it('^V lists each version with the stages it holds and its status', async () => {
    const ui = render(<App controller={controller()} agent={agent} />);
    await tick();
    ui.stdin.write('\u0016');
    await tick();
    expect(ui.lastFrame()).toContain('choose version');
    expect(ui.lastFrame()).toContain('0.1.0  prod · active');
    ui.unmount();
  });

  it('sends the typed input, shows the answer, the span tree with mocked I/O, and labels the test double', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    ui.stdin.write('refund?');
    await tick();
    ui.stdin.write('\r');
    await tick(150);
    const frame = ui.lastFrame() ?? '';
    expect(ctl.inputs).toEqual(['refund?']);
    expect(frame).toContain('answer to refund?');
    expect(frame).toContain('tool triage-lookup');
    expect(frame).toContain('out(mock) {"passage":"mocked"}');
    expect(frame).toContain('TEST DOUBLE');
    ui.unmount();
  });

  it('asks before going live, opens past runs and steps through their events', async () => {
    const ui = render(<App controller={controller()} agent={agent} />);
    ui.stdin.write('\u0004'); // ctrl-d
    await tick();
    expect(ui.lastFrame()).toContain('Switch to LIVE?');
    ui.stdin.write('y');
    await tick();
    expect(ui.lastFrame()).toContain('LIVE');
    ui.stdin.write('\u000f'); // ctrl-o
    await tick();
    expect(ui.lastFrame()).toContain('RUN0');
    ui.stdin.write('\r');
    await tick();
    expect(ui.lastFrame()).toContain('event 1/2');
    ui.stdin.write('\u001b[C'); // right arrow
    await tick();
    expect(ui.lastFrame()).toContain('event 2/2');
    ui.unmount();
  });

  it('runs the sample set with progress, then opens a failed sample with the assertion that failed', async () => {
    const ui = render(<App controller={controller()} agent={agent} />);
    ui.stdin.write('\u0005'); // ctrl-e
    await tick(150);
    expect(ui.lastFrame()).toContain('2/2');
    expect(ui.lastFrame()).toContain('gate failed · 1/2 passed');
    expect(ui.lastFrame()).toContain('fail bad: contains: output lacks "refund"');
    ui.stdin.write('\r');
    await tick();
    expect(ui.lastFrame()).toContain('run RUN0 · event 1/2');
    expect(ui.lastFrame()).toContain('bad: contains: output lacks "refund"');
    ui.unmount();
  });

  it('keeps every keystroke typed faster than a redraw', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (const letter of letters) ui.stdin.write(letter);
    await tick();
    expect(ui.lastFrame()).toContain(letters);
    ui.stdin.write('\r');
    await tick(150);
    expect(ctl.inputs).toEqual([letters]);
    ui.unmount();
  });

  it('submits pasted text whose Enter is in the same chunk, or right after it', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    ui.stdin.write('hello\r');
    await tick(150);
    expect(ctl.inputs).toEqual(['hello']);
    ui.stdin.write('pasted text');
    ui.stdin.write('\r');
    await tick(150);
    expect(ctl.inputs).toEqual(['hello', 'pasted text']);
    expect(ui.lastFrame()).toContain('answer to pasted text');
    ui.unmount();
  });

  it('opens a failed sample by its run id, even when it is not among the recent runs', async () => {
    const asked: string[] = [];
    const ui = render(
      <App
        controller={controller({
          pastRuns: () => [],
          pastRun: (runId) => {
            asked.push(runId);
            return { runId, startedAt: 0, status: 'succeeded', input: 'old', version: '0.1.0' };
          },
        })}
        agent={agent}
      />,
    );
    ui.stdin.write('\u0005'); // ctrl-e
    await tick(150);
    ui.stdin.write('\r');
    await tick();
    expect(asked).toEqual(['RUN0']);
    expect(ui.lastFrame()).toContain('run RUN0 · event 1/2');
    ui.unmount();
  });

  it('labels TEST DOUBLE only when the echo double answered, not because the provider could fall back to it', async () => {
    // The cassette+echo provider says it may answer with the double; here the cassette (a recorded model) answers.
    const ui = render(
      <App controller={controller({ provider: { name: 'cassette+echo', model: null, testDouble: true } }, { answeredBy: 'gpt-4o-mini' })} agent={agent} />,
    );
    expect(ui.lastFrame()).not.toContain('TEST DOUBLE');
    ui.stdin.write('refund?\r');
    await tick(150);
    expect(ui.lastFrame()).toContain('answer to refund?');
    expect(ui.lastFrame()).not.toContain('TEST DOUBLE');
    ui.unmount();
  });

  it('shows a turn whose tool failed as "succeeded with errors", with the tool span failed', async () => {
    const ui = render(<App controller={controller({}, { toolFails: true })} agent={agent} />);
    ui.stdin.write('refund?\r');
    await tick(150);
    const frame = ui.lastFrame() ?? '';
    expect(frame).toContain('succeeded with errors (1 failed span)');
    expect(frame).toMatch(/✗ tool triage-lookup/);
    expect(frame).toContain('✗ tracker unreachable');
    ui.unmount();
  });

  for (const columns of [80, 60, 40]) {
    it(`fits the status line and key help in ${columns} columns without wrapping`, async () => {
      const ui = render(
        <App controller={controller({ provider: { name: 'cassette+echo', model: 'a-rather-long-model-name-2026-01-01', testDouble: true } })} agent={agent} />,
      );
      resize(ui.stdout, columns, 24);
      ui.stdin.write('refund?\r');
      await tick(150);
      const lines = (ui.lastFrame() ?? '').split('\n');
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
      const status = lines.find((l) => l.includes('DRY')) ?? '';
      expect(status).toMatch(/^triage@0\.1\.0/);
      expect(status).toContain('TEST DOUBLE');
      expect(lines.some((l) => l.startsWith('enter send'))).toBe(true);
      ui.unmount();
    });
  }

  it('keeps the past-runs view shorter than a 24-row terminal, however many runs there are', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ runId: `RUN${i}`, startedAt: 0, status: 'succeeded', input: `question ${i}`, version: '0.1.0' }));
    const ui = render(<App controller={controller({ pastRuns: () => many })} agent={agent} />);
    resize(ui.stdout, 80, 24);
    ui.stdin.write('\u000f');
    await tick();
    for (let i = 0; i < 30; i++) ui.stdin.write('\u001b[B'); // down to RUN30
    await tick();
    const frame = ui.lastFrame() ?? '';
    expect(frame.split('\n').length).toBeLessThan(24);
    expect(frame).toContain('past runs 31/40');
    expect(frame).toContain('question 30');
    ui.unmount();
  });

  it("wraps a past run's long events to the box instead of cutting them at its edge", async () => {
    const long = 'x'.repeat(150);
    const ui = render(
      <App controller={controller({ pastEvents: () => [{ seq: 1, type: 'tool.result', at: 0, payload: { output: long, end: 'THE-END' } }] })} agent={agent} />,
    );
    resize(ui.stdout, 80, 24);
    ui.stdin.write('\u000f');
    await tick();
    ui.stdin.write('\r');
    await tick();
    const lines = (ui.lastFrame() ?? '').split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    const text = lines.map((l) => l.replace(/^│ ?|\s*│$/g, '').trim()).join('');
    expect(text).toContain(`{"output":"${long}","end":"THE-END"}`);
    ui.unmount();
  });

  it('^F rates the last answer: g or b, an optional note, Enter saves and the status line says so', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    ui.stdin.write('\u0006'); // ctrl-f before any turn
    await tick();
    expect(ui.lastFrame()).toContain('nothing to rate yet');
    ui.stdin.write('refund?\r');
    await tick(150);
    ui.stdin.write('\u0006');
    await tick();
    expect(ui.lastFrame()).toContain('g good · b bad');
    ui.stdin.write('\r'); // no rating chosen yet: Enter does nothing
    await tick();
    expect(ctl.rated).toEqual([]);
    ui.stdin.write('b');
    await tick();
    for (const c of 'too vague') ui.stdin.write(c);
    await tick();
    expect(ui.lastFrame()).toContain('bad · note (optional): too vague');
    ui.stdin.write('\r');
    await tick();
    expect(ctl.rated).toEqual([{ runId: 'RUN1', rating: 'bad', note: 'too vague' }]);
    expect(ui.lastFrame()).toContain('rated bad');
    expect(ctl.inputs).toEqual(['refund?']); // the note was not sent as a question
    ui.unmount();
  });

  it('^S shows the suggested assertions, lets the user toggle them, then says where the sample went', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    ui.stdin.write('refund?\r');
    await tick(150);
    ui.stdin.write('\u0013'); // ctrl-s
    await tick();
    let frame = ui.lastFrame() ?? '';
    expect(frame).toContain('save "refund?" as an eval sample');
    expect(frame).toContain('[x] tool-called triage-lookup {"q":"refund"}');
    expect(frame).toContain('[ ] equals "answer to refund?"');
    ui.stdin.write('\u001b[B'); // down to contains
    await tick();
    ui.stdin.write(' '); // untick contains
    await tick();
    ui.stdin.write('\u001b[B');
    await tick();
    ui.stdin.write(' '); // tick equals
    await tick();
    ui.stdin.write('\r');
    await tick();
    expect(ctl.saved).toEqual([{ runId: 'RUN1', assert: ['tool-called', 'equals'] }]);
    frame = (ui.lastFrame() ?? '').replace(/\n +/g, ' '); // the notice wraps to the width
    expect(frame).toContain('saved sample refund (tool-called, equals) to agents/triage/evals/samples.yaml');
    expect(frame).toContain('check it: agentctl eval triage');
    ui.unmount();
  });

  it('^S on a turn that cannot become a sample says why, with the fix', async () => {
    const ui = render(
      <App
        controller={controller({
          suggestSample: () => {
            throw Object.assign(new Error('run RUN1 did not succeed (failed)'), { fix: 'make a sample of a run that answered' });
          },
        })}
        agent={agent}
      />,
    );
    ui.stdin.write('refund?\r');
    await tick(150);
    ui.stdin.write('\u0013');
    await tick();
    expect(ui.lastFrame()).toContain('cannot save this turn: run RUN1 did not succeed (failed) — make a sample of a run that answered');
    ui.unmount();
  });
});

/** ink-testing-library's stdout is 100 columns and has no rows: set both, then tell Ink and the app. */
function resize(stdout: NodeJS.EventEmitter, columns: number, rows: number): void {
  Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
  stdout.emit('resize');
}
