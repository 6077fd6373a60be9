/** Runs the sample set from the playground and feeds its progress to the reducer, batched per frame. */
import { useCallback, useRef } from 'react';
import type { EvalProgress } from '../../core/eval/runner.js';
import type { Action } from './state.js';
import type { PlaygroundController } from './types.js';
import { FRAME_MS } from './use-run-bridge.js';

export function useEvalBridge(controller: PlaygroundController, dispatch: (action: Action) => void) {
  const abort = useRef<AbortController | null>(null);
  const start = useCallback(
    async (title: string) => {
      const control = new AbortController();
      abort.current = control;
      dispatch({ type: 'eval-start', title });
      let buffer: EvalProgress[] = [];
      let timer: NodeJS.Timeout | null = null;
      const flush = () => {
        timer = null;
        if (buffer.length) dispatch({ type: 'eval-progress', events: buffer });
        buffer = [];
      };
      try {
        const outcome = await controller.evaluate({
          signal: control.signal,
          onProgress: (event) => {
            buffer.push(event);
            if (!timer) timer = setTimeout(flush, FRAME_MS);
          },
        });
        if (timer) clearTimeout(timer);
        flush();
        dispatch({ type: 'eval-done', verdict: `${outcome.passed ? 'gate passed' : 'gate failed'} · ${outcome.summary}` });
      } catch (error) {
        if (timer) clearTimeout(timer);
        flush();
        dispatch({ type: 'eval-done', verdict: `eval failed: ${(error as Error).message}` });
      } finally {
        abort.current = null;
      }
    },
    [controller, dispatch],
  );
  return { start, cancel: () => abort.current?.abort(), running: () => abort.current !== null };
}
