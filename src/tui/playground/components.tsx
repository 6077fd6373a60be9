/** The playground's pieces. They only render the state they are given. */
import { Box, Text } from 'ink';
import { colour } from '../colour.js';
import type { CurrentRun, Overlay, PlaygroundState, SpanRow, Turn } from './state.js';
import { failedRows, visibleRows } from './state.js';

const KIND_COLOUR: Record<SpanRow['kind'], string> = {
  agent: 'white',
  'sub-agent': 'magenta',
  model: 'cyan',
  tool: 'yellow',
  policy: 'red',
  context: 'gray',
};

export function TurnView({ turn }: { turn: Turn }) {
  const tone = turn.status === 'succeeded' ? 'green' : turn.status === 'cancelled' ? 'yellow' : 'red';
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text>
        <Text bold color={colour('blue')}>
          you ›{' '}
        </Text>
        {turn.input}
      </Text>
      <Text>
        <Text bold color={colour(tone)}>
          agent ›{' '}
        </Text>
        {turn.output}
      </Text>
      <Text dimColor>
        {turn.status} · {turn.summary} · run {turn.runId ?? '-'}
      </Text>
    </Box>
  );
}

export function SpanTree({ current }: { current: CurrentRun | null }) {
  if (!current) return <Text dimColor>The span tree of the current run appears here.</Text>;
  const { hidden, rows } = visibleRows(current.rows);
  return (
    <Box flexDirection="column">
      <Text bold>spans{current.runId ? ` · run ${current.runId}` : ''}</Text>
      {hidden > 0 && <Text dimColor>… {hidden} earlier span(s)</Text>}
      {rows.map((row) => (
        <Box key={row.spanId} flexDirection="column">
          <Text wrap="truncate-end">
            {'  '.repeat(row.depth)}
            <Text color={colour(row.status === 'error' ? 'red' : row.status === 'running' ? 'yellow' : 'green')}>
              {row.status === 'running' ? '◌' : row.status === 'ok' ? '●' : '✗'}{' '}
            </Text>
            <Text color={colour(KIND_COLOUR[row.kind])}>{row.kind}</Text> {row.name}
            <Text dimColor>{row.ms === null ? '' : ` ${row.ms} ms`}</Text>
          </Text>
          {row.details.map((detail, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: details only grow at the end
            <Text key={i} dimColor wrap="truncate-end">
              {'  '.repeat(row.depth + 2)}
              {detail}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
}

export function LiveTurn({ current }: { current: CurrentRun | null }) {
  if (current?.status !== 'running') return null;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color={colour('blue')}>
          you ›{' '}
        </Text>
        {current.input}
      </Text>
      <Text>
        <Text bold color={colour('yellow')}>
          agent ›{' '}
        </Text>
        {current.text || '…'}
      </Text>
    </Box>
  );
}

export function StatusLine({ state }: { state: PlaygroundState }) {
  const { agent, provider, current } = state;
  const budget = agent.maxInputTokens ? `/${agent.maxInputTokens}` : '';
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>
          {agent.name}@{agent.version}
        </Text>
        <Text dimColor> ({agent.source})</Text> · {provider.name}/{provider.model ?? agent.model}
        {provider.testDouble && (
          <Text color={colour('black')} backgroundColor={colour('yellow')}>
            {' '}
            TEST DOUBLE: answers are not a model's{' '}
          </Text>
        )}{' '}
        · tokens {current?.tokens ?? 0}
        {budget} · ${(current?.costUsd ?? 0).toFixed(4)}
        {agent.maxCostUsd !== null ? `/${agent.maxCostUsd}` : ''} · {current?.latencyMs ?? 0} ms ·{' '}
        <Text color={colour(state.mode === 'live' ? 'red' : 'green')} bold>
          {state.mode.toUpperCase()}
        </Text>
      </Text>
      <Text dimColor>
        enter send · ^R rerun · ^A agent · ^V version · ^D dry/live · ^O past runs · ^E eval · ^C {current?.status === 'running' ? 'cancel' : 'quit'}
      </Text>
      {state.notice && <Text color={colour('yellow')}>{state.notice}</Text>}
    </Box>
  );
}

export function InputLine({ value, busy }: { value: string; busy: boolean }) {
  return (
    <Text>
      <Text bold color={colour(busy ? 'gray' : 'blue')}>
        ›{' '}
      </Text>
      {value}
      <Text inverse> </Text>
    </Text>
  );
}

export function OverlayView({ overlay }: { overlay: Overlay }) {
  switch (overlay.kind) {
    case 'none':
      return null;
    case 'confirm-live':
      return (
        <Box borderStyle="round" borderColor={colour('red')} paddingX={1}>
          <Text>Switch to LIVE? Tools declared sideEffects none/read will really run (write tools never do). y / n</Text>
        </Box>
      );
    case 'pick':
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold>choose {overlay.what} (↑↓ enter, esc)</Text>
          {overlay.items.map((item, i) => (
            <Text key={item} inverse={i === overlay.index}>
              {overlay.labels?.[i] ?? item}
            </Text>
          ))}
        </Box>
      );
    case 'runs':
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold>past runs (↑↓ enter to step through, esc)</Text>
          {overlay.items.length === 0 && <Text dimColor>no runs yet</Text>}
          {overlay.items.slice(0, 15).map((run, i) => (
            <Text key={run.runId} inverse={i === overlay.index} wrap="truncate-end">
              {run.runId} {new Date(run.startedAt).toISOString().slice(11, 19)} {run.status.padEnd(11)} {run.version} {run.input}
            </Text>
          ))}
        </Box>
      );
    case 'eval': {
      const failed = failedRows(overlay);
      const p = overlay.progress;
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold>
            eval {p.title}: {p.done}/{p.total} · <Text color={colour('green')}>{p.passed} passed</Text> · <Text color={colour('red')}>{p.failed} failed</Text> ·{' '}
            <Text color={colour('yellow')}>{p.errors} errors</Text> {overlay.running ? '(running, ^C stops)' : '(↑↓ enter opens a failed sample, esc)'}
          </Text>
          {overlay.verdict && <Text>{overlay.verdict}</Text>}
          {failed.slice(0, 12).map((row, i) => (
            <Text key={row.key} inverse={!overlay.running && i === overlay.index} wrap="truncate-end">
              <Text color={colour(row.status === 'error' ? 'yellow' : 'red')}>{row.status}</Text> {row.sampleId}: {row.detail}
            </Text>
          ))}
        </Box>
      );
    }
    case 'replay': {
      const event = overlay.events[overlay.cursor];
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold>
            run {overlay.run.runId} · event {overlay.cursor + 1}/{overlay.events.length} (← → step, esc)
          </Text>
          {overlay.note && <Text color={colour('red')}>{overlay.note}</Text>}
          {overlay.events.slice(Math.max(0, overlay.cursor - 5), overlay.cursor + 6).map((e) => (
            <Text key={e.seq} inverse={e === event} wrap="truncate-end">
              {String(e.seq).padStart(4)} {e.type.padEnd(16)} {JSON.stringify(e.payload)}
            </Text>
          ))}
        </Box>
      );
    }
  }
}
