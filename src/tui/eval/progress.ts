/** Eval progress as state: finished samples, counts, rate and ETA. Pure, so the view only renders it. */
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
  rows: ProgressRow[];
  note: string | null;
}

export function initialProgress(title: string, now = Date.now()): ProgressState {
  return { title, total: 0, done: 0, passed: 0, failed: 0, errors: 0, startedAt: now, now, rows: [], note: null };
}

export function reduceProgress(state: ProgressState, event: EvalProgress, now = Date.now()): ProgressState {
  if (event.type === 'start') return { ...state, total: event.total, startedAt: now, now };
  const r = event.result;
  const failed = r.assertions.filter((a) => !a.pass);
  const detail = r.status === 'error' ? (r.error ?? 'error') : failed.map((a) => `${a.type}: ${a.reason}`).join('; ');
  return {
    ...state,
    now,
    done: event.done,
    total: event.total,
    passed: state.passed + (r.status === 'pass' ? 1 : 0),
    failed: state.failed + (r.status === 'fail' ? 1 : 0),
    errors: state.errors + (r.status === 'error' ? 1 : 0),
    rows: [
      ...state.rows,
      { key: `${r.sampleId}#${r.iteration}`, sampleId: r.sampleId, iteration: r.iteration, status: r.status, detail, latencyMs: r.latencyMs, runId: r.runId },
    ],
  };
}

export function rateAndEta(state: ProgressState): { perSecond: number; etaSeconds: number | null } {
  const elapsed = Math.max(1, state.now - state.startedAt) / 1000;
  const perSecond = state.done / elapsed;
  return { perSecond, etaSeconds: perSecond > 0 ? (state.total - state.done) / perSecond : null };
}

/** One plain line per finished sample, for logs and non-TTY output. */
export function progressLine(row: ProgressRow, done: number, total: number): string {
  const mark = row.status === 'pass' ? '✓' : row.status === 'fail' ? '✗' : '!';
  return `${mark} [${done}/${total}] ${row.sampleId}${row.iteration > 1 ? ` #${row.iteration}` : ''} ${row.status} (${row.latencyMs} ms)${row.detail ? ` — ${row.detail}` : ''}`;
}
