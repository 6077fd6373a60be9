/** The playground's screen state and the one reducer that changes it. Pure: tested without a terminal. */
import type { EvalProgress } from '../../core/eval/runner.js';
import type { RunMode, RuntimeEvent, SpanKind } from '../../core/runtime/events.js';
import type { SampleChoice } from '../../core/session/playground-types.js';
import { initialProgress, type ProgressRow, type ProgressState, reduceProgress } from '../eval/progress.js';
import { applyEvent } from './apply-event.js';
import type { AgentInfo, PastEvent, PastRun, ProviderInfo } from './types.js';

export interface SpanRow {
  spanId: string;
  parentSpanId: string | null;
  depth: number;
  kind: SpanKind;
  name: string;
  status: 'running' | 'ok' | 'error';
  /** A span under this one failed (a tool error the agent then answered around). */
  childFailed: boolean;
  startedAt: number;
  ms: number | null;
  /** One line each: tool input, tool output, tokens, decisions. */
  details: string[];
}

export interface Turn {
  id: number;
  input: string;
  output: string;
  status: string;
  runId: string | null;
  summary: string;
  /** The echo test double gave (some of) this answer, not a model. */
  testDouble: boolean;
  /** Spans that ended in error (a failed tool call), even when the run then succeeded. */
  failedSpans: number;
}

export interface CurrentRun {
  runId: string | null;
  input: string;
  text: string;
  rows: SpanRow[];
  status: 'running' | 'succeeded' | 'failed' | 'needs-human' | 'cancelled';
  tokens: number;
  costUsd: number;
  latencyMs: number;
  error: string | null;
  /** The echo test double answered a model call of this turn (not merely could have). */
  testDouble: boolean;
}

export type Overlay =
  | { kind: 'none' }
  | { kind: 'confirm-live' }
  | {
      kind: 'pick';
      what: 'agent' | 'version';
      items: string[];
      index: number /** What to show for each item (e.g. a version's stage and status). */;
      labels?: string[];
    }
  | { kind: 'runs'; items: PastRun[]; index: number }
  | { kind: 'replay'; run: PastRun; events: PastEvent[]; cursor: number; note?: string }
  | { kind: 'eval'; progress: ProgressState; running: boolean; index: number; verdict: string | null }
  /** ^F: g/b picks the rating, then an optional note is typed; Enter saves. */
  | { kind: 'rate'; runId: string; rating: 'good' | 'bad' | null; note: string; submit: boolean }
  /** ^S: the suggested assertions, toggled with space; Enter writes the sample. */
  | { kind: 'save'; runId: string; input: string; choices: SampleChoice[]; index: number; saving: boolean };

export interface PlaygroundState {
  agent: AgentInfo;
  provider: ProviderInfo;
  mode: RunMode;
  input: string;
  turns: Turn[];
  current: CurrentRun | null;
  overlay: Overlay;
  notice: string | null;
  /** The user's rating of the last answer (^F), shown in the status line until the next turn. */
  rating: 'good' | 'bad' | null;
  /** Events seen in this session, for the status line. */
  eventCount: number;
}

export type Action =
  | { type: 'input'; value: string }
  | { type: 'run-start'; input: string }
  | { type: 'events'; events: RuntimeEvent[] }
  | { type: 'run-error'; message: string }
  | { type: 'mode'; mode: RunMode }
  | { type: 'agent'; agent: AgentInfo }
  | { type: 'overlay'; overlay: Overlay }
  | { type: 'move'; by: number }
  | { type: 'notice'; message: string | null }
  | { type: 'eval-start'; title: string }
  | { type: 'eval-progress'; events: EvalProgress[] }
  | { type: 'eval-done'; verdict: string }
  | { type: 'rated'; runId: string; rating: 'good' | 'bad' }
  | { type: 'toggle' }
  /**
   * Typing in the ^F prompt, applied to the prompt as it is now (keys come faster than redraws): g or b
   * first, then the note; a line break submits (App saves it, then sends 'rated').
   */
  | { type: 'rate-type'; text: string }
  | { type: 'rate-erase' }
  | { type: 'saved'; message: string };

/** Lines of span tree on screen: the view is windowed, so a 1,000-event run costs the same frame as a short one. */
export const VISIBLE_LINES = 30;

export function initialState(agent: AgentInfo, provider: ProviderInfo): PlaygroundState {
  return { agent, provider, mode: 'dry', input: '', turns: [], current: null, overlay: { kind: 'none' }, notice: null, rating: null, eventCount: 0 };
}

export function reduce(state: PlaygroundState, action: Action): PlaygroundState {
  switch (action.type) {
    case 'input':
      return { ...state, input: action.value };
    case 'run-start':
      return {
        ...state,
        input: '',
        notice: null,
        rating: null,
        current: {
          runId: null,
          input: action.input,
          text: '',
          rows: [],
          status: 'running',
          tokens: 0,
          costUsd: 0,
          latencyMs: 0,
          error: null,
          testDouble: false,
        },
      };
    case 'events': {
      if (!state.current) return state;
      let current = { ...state.current, rows: [...state.current.rows] };
      let turns = state.turns;
      for (const event of action.events) current = applyEvent(current, event);
      const finished = action.events.find((e) => e.type === 'run.finished');
      if (finished && finished.type === 'run.finished') {
        turns = [
          ...turns,
          {
            id: turns.length + 1,
            input: current.input,
            output: finished.output ?? finished.error ?? '',
            status: finished.status,
            runId: current.runId,
            testDouble: current.testDouble,
            failedSpans: current.rows.filter((r) => r.status === 'error').length,
            summary: `${finished.steps} step(s) · ${finished.usage.inputTokens + finished.usage.outputTokens} tokens · $${finished.costUsd.toFixed(4)} · ${finished.latencyMs} ms`,
          },
        ];
      }
      return { ...state, current, turns, eventCount: state.eventCount + action.events.length };
    }
    case 'run-error':
      return { ...state, current: state.current ? { ...state.current, status: 'failed', error: action.message } : null, notice: action.message };
    case 'mode':
      return { ...state, mode: action.mode, overlay: { kind: 'none' }, notice: `mode: ${action.mode}` };
    case 'agent':
      return {
        ...state,
        agent: action.agent,
        overlay: { kind: 'none' },
        current: null,
        notice: `now ${action.agent.name}@${action.agent.version} (${action.agent.source})`,
      };
    case 'overlay':
      return { ...state, overlay: action.overlay };
    case 'move':
      return { ...state, overlay: move(state.overlay, action.by) };
    case 'notice':
      return { ...state, notice: action.message };
    case 'eval-start':
      return { ...state, overlay: { kind: 'eval', progress: initialProgress(action.title), running: true, index: 0, verdict: null } };
    case 'eval-progress': {
      if (state.overlay.kind !== 'eval') return state;
      let progress = state.overlay.progress;
      for (const event of action.events) progress = reduceProgress(progress, event);
      return { ...state, overlay: { ...state.overlay, progress } };
    }
    case 'rated':
      return { ...state, rating: action.rating, overlay: { kind: 'none' }, notice: `rated run ${action.runId} ${action.rating}` };
    case 'toggle': {
      const overlay = state.overlay;
      if (overlay.kind !== 'save') return state;
      return { ...state, overlay: { ...overlay, choices: overlay.choices.map((c, i) => (i === overlay.index ? { ...c, chosen: !c.chosen } : c)) } };
    }
    case 'rate-type':
      return state.overlay.kind === 'rate' ? { ...state, overlay: typeRating(state.overlay, action.text) } : state;
    case 'rate-erase':
      return state.overlay.kind === 'rate' && !state.overlay.submit
        ? { ...state, overlay: { ...state.overlay, note: state.overlay.note.slice(0, -1) } }
        : state;
    case 'saved':
      return { ...state, overlay: { kind: 'none' }, notice: action.message };
    case 'eval-done':
      return state.overlay.kind === 'eval' ? { ...state, overlay: { ...state.overlay, running: false, verdict: action.verdict } } : state;
  }
}

function typeRating(overlay: Extract<Overlay, { kind: 'rate' }>, text: string): Extract<Overlay, { kind: 'rate' }> {
  let next = overlay;
  for (const c of text) {
    if (next.submit) break;
    if (next.rating === null) {
      if (c === 'g' || c === 'b') next = { ...next, rating: c === 'g' ? 'good' : 'bad' };
    } else if (c === '\r' || c === '\n') next = { ...next, submit: true };
    else next = { ...next, note: next.note + c };
  }
  return next;
}

/** The eval rows the user can open: the ones that did not pass. */
export function failedRows(overlay: Extract<Overlay, { kind: 'eval' }>): ProgressRow[] {
  return overlay.progress.rows.filter((r) => r.status !== 'pass');
}

function move(overlay: Overlay, by: number): Overlay {
  const clamp = (n: number, length: number) => Math.max(0, Math.min(length - 1, n));
  switch (overlay.kind) {
    case 'pick':
      return { ...overlay, index: clamp(overlay.index + by, overlay.items.length) };
    case 'runs':
      return { ...overlay, index: clamp(overlay.index + by, overlay.items.length) };
    case 'replay':
      return { ...overlay, cursor: clamp(overlay.cursor + by, overlay.events.length) };
    case 'eval':
      return { ...overlay, index: clamp(overlay.index + by, failedRows(overlay).length) };
    case 'save':
      return { ...overlay, index: clamp(overlay.index + by, overlay.choices.length) };
    default:
      return overlay;
  }
}

/**
 * How a finished turn is shown: green only when it succeeded with nothing failing inside it. A run that
 * succeeded after a tool failed is yellow, "succeeded with errors" — the answer stands, but it was given
 * without what the tool should have returned, and that is worth a look.
 */
export function turnTone(turn: Pick<Turn, 'status' | 'failedSpans'>): { colour: 'green' | 'yellow' | 'red'; label: string } {
  if (turn.status === 'succeeded') {
    return turn.failedSpans > 0
      ? { colour: 'yellow', label: `succeeded with errors (${turn.failedSpans} failed span${turn.failedSpans === 1 ? '' : 's'})` }
      : { colour: 'green', label: 'succeeded' };
  }
  return { colour: turn.status === 'cancelled' || turn.status === 'needs-human' ? 'yellow' : 'red', label: turn.status };
}

/** The rows to draw: the newest that fit in VISIBLE_LINES, so redraw cost stays flat however long the run. */
export function visibleRows(rows: readonly SpanRow[], maxLines = VISIBLE_LINES): { hidden: number; rows: readonly SpanRow[] } {
  const budget = Math.min(VISIBLE_LINES, maxLines);
  let lines = 0;
  let start = rows.length;
  while (start > 0) {
    const next = 1 + (rows[start - 1] as SpanRow).details.length;
    if (lines + next > budget) break;
    lines += next;
    start--;
  }
  return { hidden: start, rows: rows.slice(start) };
}
