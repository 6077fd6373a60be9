import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { EvalView } from './EvalView.js';
import { drawn, initialProgress, reduceProgress, resultLine } from './progress.js';

const result = (sampleId: string, status: 'pass' | 'fail' | 'error') => ({
  sampleId,
  iteration: 1,
  runId: `R-${sampleId}`,
  status,
  score: status === 'pass' ? 1 : 0,
  assertions: status === 'fail' ? [{ type: 'contains' as const, pass: false, score: 0, weight: 1, reason: 'output lacks "refund"' }] : [],
  output: '',
  error: status === 'error' ? 'model call failed' : null,
  latencyMs: 12,
  tokens: 3,
  costUsd: 0,
  tags: [],
});

describe('eval progress', () => {
  it('shows finished samples above a bar with counts, rate and ETA', () => {
    let state = initialProgress('triage@0.1.0', 0);
    state = reduceProgress(state, { type: 'start', evalId: 'E', total: 4 }, 0);
    state = reduceProgress(state, { type: 'result', result: result('a', 'pass'), done: 1, total: 4 }, 500);
    state = reduceProgress(state, { type: 'result', result: result('b', 'fail'), done: 2, total: 4 }, 1000);
    const frame = render(<EvalView state={state} />).lastFrame() ?? '';
    expect(frame).toContain('✓ a');
    expect(frame).toContain('✗ b');
    expect(frame).toContain('contains: output lacks "refund"');
    expect(frame).toMatch(/2\/4 · 1 passed · 1 failed · 0 errors · 2\.0\/s · ETA 1 s/);
    expect(resultLine(result('b', 'fail'), 2, 4)).toBe('✗ [2/4] b fail (12 ms) — contains: output lacks "refund"');
  });

  it('keeps only the rows of the frame being drawn; earlier rows stay on screen from the scrollback', () => {
    let state = initialProgress('triage@0.1.0', 0);
    state = reduceProgress(state, { type: 'start', evalId: 'E', total: 3000 }, 0);
    const view = render(<EvalView state={state} />);
    state = drawn(state);
    for (let i = 0; i < 3000; i++) {
      state = reduceProgress(state, { type: 'result', result: result(`s${i}`, i === 2999 ? 'fail' : 'pass'), done: i + 1, total: 3000 }, i);
      if (i % 100 === 99 || i === 2) {
        view.rerender(<EvalView state={state} />);
        state = drawn(state);
        // Never more than one frame's rows held.
        expect(state.rows).toHaveLength(0);
      }
    }
    // The test renderer's last frame is everything written to the terminal: scrollback plus the live bar.
    const written = view.lastFrame() ?? '';
    // Every sample reached the terminal exactly once, in order, across 31 frames' <Static> batches.
    for (const id of ['s0', 's1', 's2', 's3', 's1500', 's2998']) expect(written.split(`✓ ${id} `).length - 1).toBe(1);
    expect(written).toContain('✗ s2999');
    expect(written.indexOf('✓ s3 ')).toBeGreaterThan(written.indexOf('✓ s2 '));
    expect(view.lastFrame()).toMatch(/3000\/3000 · 2999 passed · 1 failed/);
  });
});
