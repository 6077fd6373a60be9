import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { EvalView } from './EvalView.js';
import { initialProgress, progressLine, reduceProgress } from './progress.js';

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
    expect(progressLine(state.rows[1] as never, 2, 4)).toBe('✗ [2/4] b fail (12 ms) — contains: output lacks "refund"');
  });
});
