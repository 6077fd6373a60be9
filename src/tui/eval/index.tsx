/** Mounts the live eval view on the terminal; the command pushes progress into it. */
import { render } from 'ink';
import type { EvalProgress } from '../../core/eval/runner.js';
import { EvalView } from './EvalView.js';
import { drawn, initialProgress, reduceProgress } from './progress.js';

export interface EvalScreen {
  push(event: EvalProgress): void;
  note(text: string): void;
  close(): void;
}

/** Redraws at most every 50 ms: a thousand fast samples cost twenty frames a second, not a thousand. */
export function mountEvalView(title: string): EvalScreen {
  let state = initialProgress(title);
  const instance = render(<EvalView state={state} />, { exitOnCtrlC: false, patchConsole: false, stdout: process.stderr });
  // A drawn frame's rows array is never touched again (Static memoizes on it): new rows go to a new one.
  state = drawn(state);
  let timer: NodeJS.Timeout | null = null;
  const draw = () => {
    timer = null;
    instance.rerender(<EvalView state={state} />);
    state = drawn(state);
  };
  const schedule = () => {
    if (!timer) timer = setTimeout(draw, 50);
  };
  return {
    push(event) {
      state = reduceProgress(state, event);
      schedule();
    },
    note(text) {
      state.note = text;
      schedule();
    },
    close() {
      if (timer) clearTimeout(timer);
      draw();
      instance.unmount();
    },
  };
}
