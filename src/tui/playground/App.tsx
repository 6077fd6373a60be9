/** The playground screen: finished turns in <Static>, the live turn and span tree, the status line, keys. */
import { Box, Static, Text, useApp, useInput } from 'ink';
import { useCallback, useReducer } from 'react';
import { InputLine, LiveTurn, OverlayView, SpanTree, StatusLine, TurnView } from './components.js';
import { type Action, failedRows, initialState, type PlaygroundState, reduce } from './state.js';
import type { AgentInfo, PlaygroundController } from './types.js';
import { useEvalBridge } from './use-eval-bridge.js';
import { useRunBridge } from './use-run-bridge.js';

export function App({ controller, agent }: { controller: PlaygroundController; agent: AgentInfo }) {
  const [state, dispatch] = useReducer(reduce, initialState(agent, controller.provider));
  const { exit } = useApp();
  const bridge = useRunBridge(controller, dispatch);
  const evals = useEvalBridge(controller, dispatch);
  const running = state.current?.status === 'running' || (state.overlay.kind === 'eval' && state.overlay.running);

  const send = useCallback(
    (input: string) => {
      if (!input.trim() || running) return;
      const history = state.turns.flatMap((t) => [
        { role: 'user' as const, content: t.input },
        { role: 'assistant' as const, content: t.output },
      ]);
      void bridge.start(input.trim(), state.mode, history);
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
  useInput((input, key) => handleKey(input, key, state, dispatch, { controller, send, cancel, evaluate, exit, running }));

  return (
    <Box flexDirection="column">
      <Static items={state.turns}>{(turn) => <TurnView key={turn.id} turn={turn} />}</Static>
      <Box>
        <Box flexDirection="column" width="45%" paddingRight={1}>
          <LiveTurn current={state.current} />
          {state.current && !running && state.current.error && <Text color="red">{state.current.error}</Text>}
        </Box>
        <Box flexDirection="column" width="55%">
          <SpanTree current={state.current} />
        </Box>
      </Box>
      <OverlayView overlay={state.overlay} />
      <InputLine value={state.input} busy={running} />
      <StatusLine state={state} />
    </Box>
  );
}

interface KeyContext {
  controller: PlaygroundController;
  send: (input: string) => void;
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
        dispatch({ type: 'overlay', overlay: { kind: 'pick', what: 'version', items: ctx.controller.versions(state.agent.name), index: 0 } });
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
      default:
        return;
    }
  }
  // A pasted or fast-typed line arrives as one chunk, with its Enter inside it.
  const newline = input.search(/[\r\n]/);
  if (newline !== -1 && !key.return) {
    ctx.send(state.input + input.slice(0, newline));
    return;
  }
  if (key.return) ctx.send(state.input);
  else if (key.backspace || key.delete) dispatch({ type: 'input', value: state.input.slice(0, -1) });
  else if (input && !key.meta && !key.escape && !key.tab && !key.upArrow && !key.downArrow) dispatch({ type: 'input', value: state.input + input });
}

function handleOverlayKey(input: string, key: Key, state: PlaygroundState, dispatch: (a: Action) => void, ctx: KeyContext): void {
  const overlay = state.overlay;
  const close = () => dispatch({ type: 'overlay', overlay: { kind: 'none' } });
  const arrows = key.upArrow || key.downArrow;
  if (key.escape) {
    if (overlay.kind !== 'eval' || !overlay.running) close();
    return;
  }
  switch (overlay.kind) {
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
        const run = row ? ctx.controller.pastRuns(state.agent.name).find((r) => r.runId === row.runId) : undefined;
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
