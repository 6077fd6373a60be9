/**
 * ^F (rate the last answer) and ^S (save the last turn as an eval sample): opening their prompts and the
 * keys inside them. Both go through the controller; nothing here writes anything itself.
 */
import type { useInput } from 'ink';
import { useEffect } from 'react';
import type { Action, Overlay, PlaygroundState } from './state.js';
import type { PlaygroundController } from './types.js';

type Key = Parameters<Parameters<typeof useInput>[0]>[1];
type Dispatch = (action: Action) => void;

/** What went wrong, with the fix when core gave one (AgentctlError). */
export function explain(error: unknown): string {
  const e = error as { message?: string; fix?: string };
  return `${e.message ?? String(error)}${e.fix ? ` — ${e.fix}` : ''}`;
}

function lastRun(state: PlaygroundState): { runId: string; input: string } | null {
  const turn = state.turns.at(-1);
  return turn?.runId ? { runId: turn.runId, input: turn.input } : null;
}

export function openRate(state: PlaygroundState, dispatch: Dispatch): void {
  const last = lastRun(state);
  if (!last) dispatch({ type: 'notice', message: 'nothing to rate yet: ask something first' });
  else dispatch({ type: 'overlay', overlay: { kind: 'rate', runId: last.runId, rating: null, note: '', submit: false } });
}

export function openSave(state: PlaygroundState, dispatch: Dispatch, controller: PlaygroundController): void {
  const last = lastRun(state);
  if (!last) {
    dispatch({ type: 'notice', message: 'nothing to save yet: ask something first' });
    return;
  }
  try {
    const choices = controller.suggestSample(last.runId);
    dispatch({ type: 'overlay', overlay: { kind: 'save', runId: last.runId, input: last.input, choices, index: 0, saving: false } });
  } catch (error) {
    dispatch({ type: 'notice', message: `cannot save this turn: ${explain(error)}` });
  }
}

export function rateKey(input: string, key: Key, dispatch: Dispatch): void {
  if (key.return) dispatch({ type: 'rate-type', text: '\r' });
  else if (key.backspace || key.delete) dispatch({ type: 'rate-erase' });
  else if (input && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) dispatch({ type: 'rate-type', text: input });
}

/** Saves a submitted ^F rating once the reducer has the whole of it (the rating and every key of the note). */
export function useRateSubmit(overlay: Overlay, controller: PlaygroundController, dispatch: Dispatch): void {
  useEffect(() => {
    if (overlay.kind !== 'rate' || !overlay.submit || overlay.rating === null) return;
    try {
      const rated = controller.rate(overlay.runId, overlay.rating, overlay.note.trim() || undefined);
      dispatch({ type: 'rated', runId: rated.runId, rating: rated.rating });
    } catch (error) {
      dispatch({ type: 'overlay', overlay: { kind: 'none' } });
      dispatch({ type: 'notice', message: `not rated: ${explain(error)}` });
    }
  }, [overlay, controller, dispatch]);
}

export function saveKey(input: string, key: Key, overlay: Extract<Overlay, { kind: 'save' }>, dispatch: Dispatch, controller: PlaygroundController): void {
  if (overlay.saving) return;
  if (key.upArrow || key.downArrow) dispatch({ type: 'move', by: key.upArrow ? -1 : 1 });
  else if (input === ' ') dispatch({ type: 'toggle' });
  else if (key.return) {
    dispatch({ type: 'overlay', overlay: { ...overlay, saving: true } });
    const kinds = overlay.choices.filter((c) => c.chosen).map((c) => c.kind);
    controller.saveSample(overlay.runId, kinds).then(
      (saved) =>
        dispatch({
          type: 'saved',
          message: `saved sample ${saved.sampleId} (${saved.assertions.join(', ')}) to ${saved.datasetFile}${
            saved.cassetteFiles.length ? `, model answers in ${saved.cassetteFiles.join(', ')}` : ''
          } · check it: agentctl eval ${saved.agent}`,
        }),
      (error: unknown) => dispatch({ type: 'saved', message: `not saved: ${explain(error)}` }),
    );
  }
}
