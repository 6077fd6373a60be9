/** The playground screen: finished turns in <Static>, the live turn and span tree, the status line, keys. */
import { Box, Static, Text, useApp, useInput } from 'ink';
import { useCallback, useReducer, useRef } from 'react';
import { colour } from '../colour.js';
import { InputLine, LiveTurn, SpanTree, StatusLine, TurnView } from './components.js';
import { openRate, openSave, rateKey, saveKey, useRateSubmit } from './keys-feedback.js';
import { OverlayView } from './overlays.js';
import { type Action, failedRows, initialState, type PlaygroundState, reduce } from './state.js';
import { helpLines, noticeLines } from './status.js';
import type { AgentInfo, PlaygroundController } from './types.js';
import { useEvalBridge } from './use-eval-bridge.js';
import { useRunBridge } from './use-run-bridge.js';
import { useTerminalSize } from './use-terminal-size.js';

export function App({ controller, agent }: { controller: PlaygroundController; agent: AgentInfo }) {
  const { columns, rows } = useTerminalSize();
  const [state, dispatch] = useReducer(reduce, initialState(agent, controller.provider));
  const { exit } = useApp();
  const bridge = useRunBridge(controller, dispatch);
  const evals = useEvalBridge(controller, dispatch);
  const running = state.current?.status === 'running' || (state.overlay.kind === 'eval' && state.overlay.running);

  // The input line lives in a ref as well as in the state: keys typed (or pasted) faster than a redraw
  // each arrive before the next render, so a handler reading `state.input` would see a stale value and
  // drop all but the last character, and an Enter right after a paste would send the text before it.
  const inputRef = useRef('');
  const input = useRef({
    get: () => inputRef.current,
    set: (value: string) => {
      inputRef.current = value;
      dispatch({ type: 'input', value });
    },
  }).current;

  const send = useCallback(
    (input: string): boolean => {
      if (!input.trim() || running) return false;
      const history = state.turns.flatMap((t) => [
        { role: 'user' as const, content: t.input },
        { role: 'assistant' as const, content: t.output },
      ]);
      void bridge.start(input.trim(), state.mode, history);
      return true;
    },
    [bridge, running, state.mode, state.turns],
  );

  const cancel = useCallback(() => {
    bridge.cancel();
    evals.cancel();
  }, [bridge, evals]);
  const evaluate = useCallback(() => {
    if (!running) void evals.start(`${state.agent.name}@${state.agent.version}`);
  }, [evals, running, state.agent]);
  useRateSubmit(state.overlay, controller, dispatch);
  useInput((text, key) => handleKey(text, key, state, dispatch, { controller, send, cancel, evaluate, exit, running, input }));

  // The frame stays shorter than the terminal: at full height Ink clears the screen and its scrollback
  // on every redraw. The footer is the input line, the status line, the key help and a notice.
  const footer = 2 + helpLines(state, columns).length + noticeLines(state, columns).length;
  const body = Math.max(3, rows - footer - 1);
  return (
    <Box flexDirection="column">
      <Static items={state.turns}>{(turn) => <TurnView key={turn.id} turn={turn} />}</Static>
      {state.overlay.kind === 'none' ? (
        <Box height={Math.min(body, frameHeight(state))} overflow="hidden">
          <Box flexDirection="column" width="45%" paddingRight={1}>
            <LiveTurn current={state.current} />
            {state.current && !running && state.current.error && <Text color={colour('red')}>{state.current.error}</Text>}
          </Box>
          <Box flexDirection="column" width="55%">
            <SpanTree current={state.current} height={body} />
          </Box>
        </Box>
      ) : (
        <OverlayView overlay={state.overlay} width={columns} height={body} />
      )}
      <InputLine value={state.input} busy={running} />
      <StatusLine state={state} width={columns} />
    </Box>
  );
}

/** Lines the live area wants: the span tree (title, rows and their details), or the one-line placeholder. */
function frameHeight(state: PlaygroundState): number {
  if (!state.current) return 1;
  const spans = 2 + state.current.rows.reduce((n, r) => n + 1 + r.details.length, 0);
  // The live answer wraps in its column; give it room while it streams.
  return state.current.status === 'running' ? Math.max(spans, 6) : Math.max(spans, state.current.error ? 3 : 1);
}

interface KeyContext {
  controller: PlaygroundController;
  /** Sends a line; false when there is nothing to send or a run is under way. */
  send: (input: string) => boolean;
  /** The input line as typed so far (see App: a ref, never a stale closure). */
  input: { get(): string; set(value: string): void };
  cancel: () => void;
  evaluate: () => void;
  exit: () => void;
  running: boolean;
}

type Key = Parameters<Parameters<typeof useInput>[0]>[1];

function handleKey(input: string, key: Key, state: PlaygroundState, dispatch: (a: Action) => void, ctx: KeyContext): void {
  const overlay = state.overlay;
  if (key.ctrl && input === 'c') {
    if (ctx.running) ctx.cancel();
    else ctx.exit();
    return;
  }
  if (overlay.kind !== 'none') {
    handleOverlayKey(input, key, state, dispatch, ctx);
    return;
  }
  if (key.ctrl) {
    switch (input) {
      case 'r': {
        const last = state.turns.at(-1);
        if (last) ctx.send(last.input);
        return;
      }
      case 'a':
        dispatch({ type: 'overlay', overlay: { kind: 'pick', what: 'agent', items: ctx.controller.agents(), index: 0 } });
        return;
      case 'v':
        {
          const items = ctx.controller.versions(state.agent.name);
          const labels = items.map((v) => ctx.controller.describeVersion(state.agent.name, v));
          dispatch({ type: 'overlay', overlay: { kind: 'pick', what: 'version', items, labels, index: 0 } });
        }
        return;
      case 'd':
        if (state.mode === 'live') dispatch({ type: 'mode', mode: 'dry' });
        else dispatch({ type: 'overlay', overlay: { kind: 'confirm-live' } });
        return;
      case 'o':
        dispatch({ type: 'overlay', overlay: { kind: 'runs', items: ctx.controller.pastRuns(state.agent.name), index: 0 } });
        return;
      case 'e':
        ctx.evaluate();
        return;
      case 'f':
        if (!ctx.running) openRate(state, dispatch);
        return;
      case 's':
        if (!ctx.running) openSave(state, dispatch, ctx.controller);
        return;
      default:
        return;
    }
  }
  // A pasted or fast-typed line arrives as one chunk, with its Enter inside it: send what comes before
  // the first line break, keep what follows as the new input.
  const typed = ctx.input.get();
  const newline = input.search(/[\r\n]/);
  if (newline !== -1 && !key.return) {
    const rest = input.slice(newline + 1).replace(/^\n/, '');
    if (ctx.send(typed + input.slice(0, newline))) ctx.input.set(rest.replace(/[\r\n]/g, ''));
    else ctx.input.set(typed + input.slice(0, newline));
    return;
  }
  if (key.return) {
    if (ctx.send(typed)) ctx.input.set('');
  } else if (key.backspace || key.delete) ctx.input.set(typed.slice(0, -1));
  else if (input && !key.meta && !key.escape && !key.tab && !key.upArrow && !key.downArrow) ctx.input.set(typed + input);
}

function handleOverlayKey(input: string, key: Key, state: PlaygroundState, dispatch: (a: Action) => void, ctx: KeyContext): void {
  const overlay = state.overlay;
  const close = () => dispatch({ type: 'overlay', overlay: { kind: 'none' } });
  const arrows = key.upArrow || key.downArrow;
  if (key.escape) {
    if ((overlay.kind !== 'eval' || !overlay.running) && (overlay.kind !== 'save' || !overlay.saving)) close();
    return;
  }
  switch (overlay.kind) {
    case 'rate':
      rateKey(input, key, dispatch);
      return;
    case 'save':
      saveKey(input, key, overlay, dispatch, ctx.controller);
      return;
    case 'confirm-live':
      if (input === 'y') dispatch({ type: 'mode', mode: 'live' });
      else if (input === 'n') close();
      return;
    case 'pick':
      if (arrows) dispatch({ type: 'move', by: key.upArrow ? -1 : 1 });
      else if (key.return) {
        const choice = overlay.items[overlay.index];
        if (choice === undefined) {
          close();
          return;
        }
        try {
          const agent =
            overlay.what === 'agent'
              ? ctx.controller.select(choice, ctx.controller.versions(choice)[0] ?? 'workspace')
              : ctx.controller.select(state.agent.name, choice);
          dispatch({ type: 'agent', agent });
        } catch (error) {
          dispatch({ type: 'notice', message: (error as Error).message });
          close();
        }
      }
      return;
    case 'runs':
      if (arrows) dispatch({ type: 'move', by: key.upArrow ? -1 : 1 });
      else if (key.return) {
        const run = overlay.items[overlay.index];
        if (run) dispatch({ type: 'overlay', overlay: { kind: 'replay', run, events: ctx.controller.pastEvents(run.runId), cursor: 0 } });
      }
      return;
    case 'eval':
      if (arrows) dispatch({ type: 'move', by: key.upArrow ? -1 : 1 });
      else if (key.return && !overlay.running) {
        const row = failedRows(overlay)[overlay.index];
        // Fetched by id: the sample's run may be older than the last runs a past-runs list holds.
        const run = row?.runId ? ctx.controller.pastRun(row.runId) : undefined;
        if (row && run) {
          dispatch({
            type: 'overlay',
            overlay: { kind: 'replay', run, events: ctx.controller.pastEvents(run.runId), cursor: 0, note: `${row.sampleId}: ${row.detail}` },
          });
        }
      }
      return;
    case 'replay':
      if (key.leftArrow || key.upArrow) dispatch({ type: 'move', by: -1 });
      else if (key.rightArrow || key.downArrow) dispatch({ type: 'move', by: 1 });
      return;
    case 'none':
      return;
  }
}
