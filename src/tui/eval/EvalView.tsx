/**
 * Live eval progress: finished samples scroll by in <Static>, a bar with rate and ETA stays below.
 * Each frame's rows are a new <Static> (keyed by frame): Ink writes them once to the scrollback and
 * the state lets them go, so the view's memory does not grow with the sample count.
 */
import { Box, Static, Text } from 'ink';
import { colour } from '../colour.js';
import { type ProgressState, rateAndEta } from './progress.js';

const WIDTH = 30;

export function EvalView({ state }: { state: ProgressState }) {
  const { perSecond, etaSeconds } = rateAndEta(state);
  const filled = state.total ? Math.round((state.done / state.total) * WIDTH) : 0;
  return (
    <Box flexDirection="column">
      <Static key={state.frame} items={state.rows}>
        {(row) => (
          <Text key={row.key} wrap="truncate-end">
            <Text color={colour(row.status === 'pass' ? 'green' : row.status === 'fail' ? 'red' : 'yellow')}>
              {row.status === 'pass' ? '✓' : row.status === 'fail' ? '✗' : '!'}
            </Text>{' '}
            {row.sampleId}
            {row.iteration > 1 ? ` #${row.iteration}` : ''} <Text dimColor>{row.latencyMs} ms</Text>
            {row.detail ? <Text color={colour(row.status === 'error' ? 'yellow' : 'red')}> {row.detail}</Text> : null}
          </Text>
        )}
      </Static>
      <Text>
        <Text bold>{state.title}</Text> {'█'.repeat(filled)}
        <Text dimColor>{'░'.repeat(WIDTH - filled)}</Text> {state.done}/{state.total} · <Text color={colour('green')}>{state.passed} passed</Text> ·{' '}
        <Text color={colour('red')}>{state.failed} failed</Text> · <Text color={colour('yellow')}>{state.errors} errors</Text> · {perSecond.toFixed(1)}/s
        {etaSeconds !== null && state.done < state.total ? ` · ETA ${Math.ceil(etaSeconds)} s` : ''}
      </Text>
      {state.note && <Text dimColor>{state.note}</Text>}
    </Box>
  );
}
