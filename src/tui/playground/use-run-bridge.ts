/**
 * The bridge from the runtime's event stream to the reducer: events are buffered and dispatched at most
 * ~30 times a second, so a run emitting 1,000 events a second costs 30 renders, not 1,000.
 */
import { useCallback, useRef } from 'react';
import type { RunMode, RuntimeEvent } from '../../core/runtime/events.js';
import type { Action } from './state.js';
import type { PlaygroundController } from './types.js';

export const FRAME_MS = 33;

export function useRunBridge(controller: PlaygroundController, dispatch: (action: Action) => void) {
  const abort = useRef<AbortController | null>(null);

  const start = useCallback(
    async (input: string, mode: RunMode, history: { role: 'user' | 'assistant'; content: string }[]) => {
      const control = new AbortController();
      abort.current = control;
      dispatch({ type: 'run-start', input });
      let buffer: RuntimeEvent[] = [];
      let timer: NodeJS.Timeout | null = null;
      const flush = () => {
        timer = null;
        if (buffer.length === 0) return;
        const events = buffer;
        buffer = [];
        dispatch({ type: 'events', events });
      };
      try {
        for await (const event of controller.run(input, { mode, signal: control.signal, history })) {
          buffer.push(event);
          if (!timer) timer = setTimeout(flush, FRAME_MS);
        }
      } catch (error) {
        dispatch({ type: 'run-error', message: (error as Error).message });
      } finally {
        if (timer) clearTimeout(timer);
        flush();
        abort.current = null;
      }
    },
    [controller, dispatch],
  );

  const cancel = useCallback(() => abort.current?.abort(), []);
  return { start, cancel, running: () => abort.current !== null };
}
