import { describe, expect, it } from 'vitest';
import { runStarted } from '../../../test/support/run-started.js';
import type { RuntimeEvent } from '../../core/runtime/events.js';
import { initialState, reduce, turnTone, VISIBLE_LINES, visibleRows } from './state.js';

const agent = { name: 'triage', version: '0.1.0', source: 'workspace' as const, model: 'm', maxInputTokens: 8000, maxCostUsd: 0.05 };
const provider = { name: 'cassette', model: null, testDouble: false };
const R = 'RUN';

function started() {
  return reduce(initialState(agent, provider), { type: 'run-start', input: 'hi' });
}

describe('playground reducer', () => {
  it('builds the span tree and the streamed answer from events, then files the turn', () => {
    const events: RuntimeEvent[] = [
      runStarted(R, { provider: 'cassette' }),
      { type: 'span.started', runId: R, at: 0, spanId: 'a', parentSpanId: null, kind: 'agent', name: 'triage@0.1.0' },
      { type: 'span.started', runId: R, at: 1, spanId: 'm', parentSpanId: 'a', kind: 'model', name: 'm' },
      { type: 'model.delta', runId: R, at: 2, spanId: 'm', text: 'Hel' },
      { type: 'model.delta', runId: R, at: 2, spanId: 'm', text: 'lo' },
      {
        type: 'model.response',
        runId: R,
        at: 3,
        spanId: 'm',
        model: 'm',
        key: 'k',
        content: 'Hello',
        toolCalls: [],
        usage: { inputTokens: 5, outputTokens: 2 },
        costUsd: 0.001,
        latencyMs: 2,
      },
      { type: 'span.ended', runId: R, at: 4, spanId: 'm', status: 'ok', attributes: {} },
    ];
    const mid = reduce(started(), { type: 'events', events });
    expect(mid.current).toMatchObject({ runId: R, text: 'Hello', status: 'running', tokens: 7 });
    expect(mid.current?.rows.map((r) => [r.depth, r.kind, r.status, r.ms])).toEqual([
      [0, 'agent', 'running', null],
      [1, 'model', 'ok', 3],
    ]);
    expect(mid.current?.rows[1]?.details[0]).toContain('5→2 tok');
    const done = reduce(mid, {
      type: 'events',
      events: [
        {
          type: 'run.finished',
          runId: R,
          at: 5,
          status: 'succeeded',
          output: 'Hello',
          errorClass: null,
          error: null,
          fallback: null,
          modelErrors: [],
          steps: 1,
          usage: { inputTokens: 5, outputTokens: 2 },
          costUsd: 0.001,
          latencyMs: 5,
        },
      ],
    });
    expect(done.turns).toEqual([expect.objectContaining({ input: 'hi', output: 'Hello', status: 'succeeded', runId: R })]);
    expect(done.current?.status).toBe('succeeded');
  });

  it('windows long span lists so a frame stays the same size', () => {
    const many: RuntimeEvent[] = Array.from(
      { length: 500 },
      (_, i) => ({ type: 'span.started', runId: R, at: i, spanId: `s${i}`, parentSpanId: null, kind: 'tool', name: `t${i}` }) as RuntimeEvent,
    );
    const state = reduce(started(), { type: 'events', events: many });
    const { hidden, rows } = visibleRows(state.current?.rows ?? []);
    expect(rows).toHaveLength(VISIBLE_LINES);
    expect(hidden).toBe(500 - VISIBLE_LINES);
    expect(rows.at(-1)?.name).toBe('t499');
  });

  it('moves within overlays without leaving their bounds', () => {
    let state = reduce(initialState(agent, provider), { type: 'overlay', overlay: { kind: 'pick', what: 'agent', items: ['a', 'b'], index: 0 } });
    state = reduce(state, { type: 'move', by: 5 });
    expect(state.overlay).toMatchObject({ index: 1 });
    state = reduce(state, { type: 'move', by: -9 });
    expect(state.overlay).toMatchObject({ index: 0 });
  });
});

describe('playground reducer: failures inside a run that succeeded', () => {
  it('marks the failed tool span, flags its ancestors, and files the turn as succeeded with errors', () => {
    const span = (spanId: string, parentSpanId: string | null, kind: 'agent' | 'tool'): RuntimeEvent => ({
      type: 'span.started',
      runId: R,
      at: 0,
      spanId,
      parentSpanId,
      kind,
      name: spanId,
    });
    const state = reduce(started(), {
      type: 'events',
      events: [
        span('a', null, 'agent'),
        span('sub', 'a', 'agent'),
        span('t', 'sub', 'tool'),
        span('ok', 'a', 'tool'),
        { type: 'tool.error', runId: R, at: 1, spanId: 't', tool: 't', error: 'boom' },
        { type: 'span.ended', runId: R, at: 1, spanId: 't', status: 'error', attributes: {} },
        { type: 'span.ended', runId: R, at: 1, spanId: 'ok', status: 'ok', attributes: {} },
        { type: 'span.ended', runId: R, at: 2, spanId: 'sub', status: 'ok', attributes: {} },
        { type: 'span.ended', runId: R, at: 2, spanId: 'a', status: 'ok', attributes: {} },
        {
          type: 'run.finished',
          runId: R,
          at: 3,
          status: 'succeeded',
          output: 'done anyway',
          errorClass: null,
          error: null,
          fallback: null,
          modelErrors: [],
          steps: 1,
          usage: { inputTokens: 1, outputTokens: 1 },
          costUsd: 0,
          latencyMs: 3,
        },
      ],
    });
    expect(state.current?.rows.map((r) => [r.spanId, r.status, r.childFailed])).toEqual([
      ['a', 'ok', true],
      ['sub', 'ok', true],
      ['t', 'error', false],
      ['ok', 'ok', false],
    ]);
    const turn = state.turns[0];
    expect(turn).toMatchObject({ status: 'succeeded', failedSpans: 1 });
    expect(turnTone(turn as NonNullable<typeof turn>)).toEqual({ colour: 'yellow', label: 'succeeded with errors (1 failed span)' });
    expect(turnTone({ status: 'succeeded', failedSpans: 0 })).toEqual({ colour: 'green', label: 'succeeded' });
    expect(turnTone({ status: 'failed', failedSpans: 0 }).colour).toBe('red');
  });

  it('flags a turn as answered by the test double only when the echo model answered', () => {
    const response = (model: string): RuntimeEvent => ({
      type: 'model.response',
      runId: R,
      at: 0,
      spanId: 'm',
      model,
      key: 'k',
      content: 'x',
      toolCalls: [],
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd: 0,
      latencyMs: 1,
    });
    expect(reduce(started(), { type: 'events', events: [response('gpt-4o-mini')] }).current?.testDouble).toBe(false);
    expect(reduce(started(), { type: 'events', events: [response('echo')] }).current?.testDouble).toBe(true);
  });
});

describe('playground reducer: ^F and ^S', () => {
  it('keeps every key of a ^F prompt typed faster than a redraw: the rating, the note, then submit', () => {
    let state = reduce(initialState(agent, provider), { type: 'overlay', overlay: { kind: 'rate', runId: R, rating: null, note: '', submit: false } });
    state = reduce(state, { type: 'rate-type', text: 'xg' }); // only g or b picks; the rest before it is ignored
    state = reduce(state, { type: 'rate-type', text: 'spot on!' });
    state = reduce(state, { type: 'rate-erase' });
    expect(state.overlay).toMatchObject({ kind: 'rate', rating: 'good', note: 'spot on', submit: false });
    state = reduce(state, { type: 'rate-type', text: '\rignored' });
    expect(state.overlay).toMatchObject({ rating: 'good', note: 'spot on', submit: true });
    state = reduce(state, { type: 'rated', runId: R, rating: 'good' });
    expect(state).toMatchObject({ rating: 'good', overlay: { kind: 'none' }, notice: `rated run ${R} good` });
    expect(reduce(state, { type: 'run-start', input: 'next' }).rating).toBeNull();
  });

  it('toggles the assertion under the cursor in the ^S picker, and closes it with where the sample went', () => {
    const choices = [
      { kind: 'tool-called' as const, label: 'tool-called t', chosen: true },
      { kind: 'equals' as const, label: 'equals "x"', chosen: false },
    ];
    let state = reduce(initialState(agent, provider), { type: 'overlay', overlay: { kind: 'save', runId: R, input: 'hi', choices, index: 0, saving: false } });
    state = reduce(state, { type: 'move', by: 1 });
    state = reduce(state, { type: 'toggle' });
    state = reduce(state, { type: 'move', by: 5 });
    expect(state.overlay).toMatchObject({ index: 1, choices: [{ chosen: true }, { chosen: true }] });
    state = reduce(state, { type: 'saved', message: 'saved sample hi to agents/triage/evals/samples.yaml' });
    expect(state).toMatchObject({ overlay: { kind: 'none' }, notice: 'saved sample hi to agents/triage/evals/samples.yaml' });
  });
});
