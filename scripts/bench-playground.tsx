// Bundled and run by scripts/bench.mjs: the playground App fed a 1,000-event run, production React.
import { render } from 'ink-testing-library';
import type { RuntimeEvent } from '../src/core/runtime/events.js';
import { App } from '../src/tui/playground/App.js';
import type { PlaygroundController } from '../src/tui/playground/types.js';

const EVENTS = 1_000;
const agent = { name: 'bench', version: '1.0.0', source: 'workspace' as const, model: 'm', maxInputTokens: 8000, maxCostUsd: 1 };

function events(): RuntimeEvent[] {
  const R = 'RUN';
  const out: RuntimeEvent[] = [
    {
      type: 'run.started',
      runId: R,
      at: 0,
      sessionId: 's',
      agent: 'bench',
      version: '1.0.0',
      digest: 'd',
      mode: 'dry',
      provider: 'p',
      model: 'm',
      input: 'go',
      history: [],
    },
  ];
  out.push({ type: 'span.started', runId: R, at: 0, spanId: 'root', parentSpanId: null, kind: 'agent', name: 'bench@1.0.0' });
  for (let i = 0; out.length < EVENTS - 2; i++) {
    out.push({ type: 'span.started', runId: R, at: i, spanId: `t${i}`, parentSpanId: 'root', kind: 'tool', name: `lookup-${i}` });
    out.push({ type: 'tool.call', runId: R, at: i, spanId: `t${i}`, tool: 'lookup', input: { i } });
    out.push({ type: 'tool.result', runId: R, at: i, spanId: `t${i}`, tool: 'lookup', output: { ok: i }, source: 'mock' });
    out.push({ type: 'span.ended', runId: R, at: i + 1, spanId: `t${i}`, status: 'ok', attributes: {} });
  }
  out.push({
    type: 'run.finished',
    runId: R,
    at: EVENTS,
    status: 'succeeded',
    output: 'FINISHED',
    errorClass: null,
    error: null,
    fallback: null,
    modelErrors: [],
    steps: 1,
    usage: { inputTokens: 1, outputTokens: 1 },
    costUsd: 0,
    latencyMs: 1,
  });
  return out;
}

async function measure(perSecond: number | null) {
  const all = events();
  let lastEmitted = 0;
  const controller: PlaygroundController = {
    provider: { name: 'p', model: null, testDouble: false },
    agents: () => [],
    versions: () => [],
    select: () => agent,
    async *run() {
      for (let i = 0; i < all.length; i++) {
        if (perSecond !== null && i % 10 === 0) await new Promise((r) => setTimeout(r, (10 / perSecond) * 1000));
        lastEmitted = performance.now();
        yield all[i] as RuntimeEvent;
      }
    },
    pastRuns: () => [],
    pastEvents: () => [],
  };
  const ui = render(<App controller={controller} agent={agent} />);
  const framesBefore = ui.frames.length;
  const started = performance.now();
  ui.stdin.write('go\r');
  while (!(ui.lastFrame() ?? '').includes('FINISHED')) await new Promise((r) => setTimeout(r, 1));
  const done = performance.now();
  const frames = ui.frames.length - framesBefore;
  ui.unmount();
  return { totalMs: done - started, lagMs: done - lastEmitted, frames, eventsPerSecond: (all.length / (done - started)) * 1000 };
}

const paced = await measure(1_000);
const burst = await measure(null);
process.stdout.write(JSON.stringify({ paced, burst }));
