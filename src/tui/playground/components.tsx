/** The playground's pieces. They only render the state they are given. */
import { Box, Text } from 'ink';
import { colour } from '../colour.js';
import type { CurrentRun, PlaygroundState, SpanRow, Turn } from './state.js';
import { turnTone, visibleRows } from './state.js';
import { helpLines, noticeLines, type Segment, statusSegments, type Tone } from './status.js';

const KIND_COLOUR: Record<SpanRow['kind'], string> = {
  agent: 'white',
  'sub-agent': 'magenta',
  model: 'cyan',
  tool: 'yellow',
  policy: 'red',
  context: 'gray',
};

export function TurnView({ turn }: { turn: Turn }) {
  const tone = turnTone(turn);
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text>
        <Text bold color={colour('blue')}>
          you ›{' '}
        </Text>
        {turn.input}
      </Text>
      <Text>
        <Text bold color={colour(tone.colour)}>
          agent ›{' '}
        </Text>
        {turn.output}
      </Text>
      <Text>
        <Text color={colour(tone.colour)}>{tone.label}</Text>
        <Text dimColor>
          {' '}
          · {turn.summary} · run {turn.runId ?? '-'}
        </Text>
        {turn.testDouble && <Text color={colour('yellow')}> · answered by the echo TEST DOUBLE, not a model</Text>}
      </Text>
    </Box>
  );
}

/** A span's colour follows its own status; a succeeded span with a failure under it is yellow, not green. */
function spanColour(row: SpanRow): string {
  if (row.status === 'error') return 'red';
  if (row.status === 'running' || row.childFailed) return 'yellow';
  return 'green';
}

export function SpanTree({ current, height }: { current: CurrentRun | null; height: number }) {
  if (!current) return <Text dimColor>The span tree of the current run appears here.</Text>;
  const { hidden, rows } = visibleRows(current.rows, Math.max(1, height - 2));
  return (
    <Box flexDirection="column">
      <Text bold>spans{current.runId ? ` · run ${current.runId}` : ''}</Text>
      {hidden > 0 && <Text dimColor>… {hidden} earlier span(s)</Text>}
      {rows.map((row) => (
        <Box key={row.spanId} flexDirection="column">
          <Text wrap="truncate-end">
            {'  '.repeat(row.depth)}
            <Text color={colour(spanColour(row))}>{row.status === 'running' ? '◌' : row.status === 'ok' ? '●' : '✗'} </Text>
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

const TONE: Record<Tone, { color?: string; backgroundColor?: string; bold?: boolean; dimColor?: boolean }> = {
  plain: {},
  bold: { bold: true },
  dim: { dimColor: true },
  double: { color: 'black', backgroundColor: 'yellow' },
  live: { color: 'red', bold: true },
  dry: { color: 'green', bold: true },
  good: { color: 'green' },
  bad: { color: 'red' },
};

function SegmentText({ segment }: { segment: Segment }) {
  const t = TONE[segment.tone];
  return (
    <Text
      bold={t.bold ?? false}
      dimColor={t.dimColor ?? false}
      color={t.color ? colour(t.color) : undefined}
      backgroundColor={t.backgroundColor ? colour(t.backgroundColor) : undefined}
    >
      {segment.text}
    </Text>
  );
}

/** The status line (shortened to `width`, never wrapped), the key help and the last notice. */
export function StatusLine({ state, width }: { state: PlaygroundState; width: number }) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {statusSegments(state, width).map((segment, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments are rebuilt whole on every frame
          <SegmentText key={i} segment={segment} />
        ))}
      </Text>
      {helpLines(state, width).map((line) => (
        <Text key={line} dimColor wrap="truncate-end">
          {line}
        </Text>
      ))}
      {noticeLines(state, width).map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the notice's lines are rebuilt whole
        <Text key={i} color={colour('yellow')} wrap="truncate-end">
          {line}
        </Text>
      ))}
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
