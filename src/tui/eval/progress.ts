/**
 * Eval progress as state: counts, rate and ETA, and the rows finished since the last frame. Pure, so
 * the view only renders it. Rows are not kept: once drawn they belong to the terminal's scrollback
 * (<Static>), so a 100,000-sample eval holds one frame's worth of rows, not 100,000.
 */

import type { SampleResult } from '../../core/eval/results.js';
import type { EvalProgress } from '../../core/eval/runner.js';

export interface ProgressRow {
  key: string;
  sampleId: string;
  iteration: number;
  status: 'pass' | 'fail' | 'error';
  detail: string;
  latencyMs: number;
  runId: string | null;
}

export interface ProgressState {
  title: string;
  total: number;
  done: number;
  passed: number;
  failed: number;
  errors: number;
  startedAt: number;
  now: number;
  /** Finished since the last frame; `drawn` empties it. */
  rows: ProgressRow[];
  /** Frames drawn so far: each frame's rows are a new <Static> batch. */
  frame: number;
  note: string | null;
}

export function initialProgress(title: string, now = Date.now()): ProgressState {
  return { title, total: 0, done: 0, passed: 0, failed: 0, errors: 0, startedAt: now, now, rows: [], frame: 0, note: null };
}

/** Adds the event; mutates and returns `state` (a copy per sample would be quadratic in the sample count). */
export function reduceProgress(state: ProgressState, event: EvalProgress, now = Date.now()): ProgressState {
  state.now = now;
  if (event.type === 'start') {
    state.total = event.total;
    state.startedAt = now;
    return state;
  }
  const r = event.result;
  state.done = event.done;
  state.total = event.total;
  if (r.status === 'pass') state.passed++;
  else if (r.status === 'fail') state.failed++;
  else state.errors++;
  state.rows.push(rowOf(r));
  return state;
}

/** The state after a frame is drawn: its rows are in the scrollback now. */
export function drawn(state: ProgressState): ProgressState {
  return { ...state, rows: [], frame: state.frame + 1 };
}

function rowOf(r: SampleResult): ProgressRow {
  return {
    key: `${r.sampleId}#${r.iteration}`,
    sampleId: r.sampleId,
    iteration: r.iteration,
    status: r.status,
    detail: detailOf(r),
    latencyMs: r.latencyMs,
    runId: r.runId,
  };
}

function detailOf(r: SampleResult): string {
  if (r.status === 'error') return r.error ?? 'error';
  return r.assertions
    .filter((a) => !a.pass)
    .map((a) => `${a.type}: ${a.reason}`)
    .join('; ');
}

export function rateAndEta(state: ProgressState): { perSecond: number; etaSeconds: number | null } {
  const elapsed = Math.max(1, state.now - state.startedAt) / 1000;
  const perSecond = state.done / elapsed;
  return { perSecond, etaSeconds: perSecond > 0 ? (state.total - state.done) / perSecond : null };
}

/** One plain line for a finished sample, for logs and non-TTY output (no progress state needed). */
export function resultLine(r: SampleResult, done: number, total: number): string {
  const mark = r.status === 'pass' ? '✓' : r.status === 'fail' ? '✗' : '!';
  const detail = detailOf(r);
  return `${mark} [${done}/${total}] ${r.sampleId}${r.iteration > 1 ? ` #${r.iteration}` : ''} ${r.status} (${r.latencyMs} ms)${detail ? ` — ${detail}` : ''}`;
}
