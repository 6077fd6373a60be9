/**
 * The playground's overlays (pickers, past runs, a run's events, eval progress). Each is given the lines it
 * may use and draws no more (layout.ts says why), windowed around its cursor.
 */
import { Box, Text } from 'ink';
import { colour } from '../colour.js';
import { replayLines, windowAround } from './layout.js';
import type { Overlay } from './state.js';
import { failedRows } from './state.js';

/** Border (2 rows) and title: what every overlay box costs besides its list. */
const CHROME = 3;
/** Border and padding: what the box takes from the terminal's width. */
export const BOX_INSET = 4;

export function OverlayView({ overlay, width, height }: { overlay: Overlay; width: number; height: number }) {
  const list = Math.max(1, height - CHROME);
  switch (overlay.kind) {
    case 'none':
      return null;
    case 'confirm-live':
      return (
        <Box borderStyle="round" borderColor={colour('red')} paddingX={1}>
          <Text>Switch to LIVE? Tools declared sideEffects none/read will really run (write tools never do). y / n</Text>
        </Box>
      );
    case 'pick': {
      const shown = windowAround(overlay.items, overlay.index, list);
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold wrap="truncate-end">
            choose {overlay.what} (↑↓ enter, esc)
          </Text>
          {shown.items.map((item, i) => (
            <Text key={item} inverse={shown.start + i === overlay.index} wrap="truncate-end">
              {overlay.labels?.[shown.start + i] ?? item}
            </Text>
          ))}
        </Box>
      );
    }
    case 'runs': {
      const shown = windowAround(overlay.items, overlay.index, list);
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold wrap="truncate-end">
            past runs {overlay.items.length ? `${overlay.index + 1}/${overlay.items.length} ` : ''}(↑↓ enter to step through, esc)
          </Text>
          {overlay.items.length === 0 && <Text dimColor>no runs yet</Text>}
          {shown.items.map((run, i) => (
            <Text key={run.runId} inverse={shown.start + i === overlay.index} wrap="truncate-end">
              {run.runId} {new Date(run.startedAt).toISOString().slice(11, 19)} {run.status.padEnd(11)} {run.version} {run.input}
            </Text>
          ))}
        </Box>
      );
    }
    case 'eval': {
      const failed = failedRows(overlay);
      const p = overlay.progress;
      const shown = windowAround(failed, overlay.index, list - (overlay.verdict ? 1 : 0));
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold wrap="truncate-end">
            eval {p.title}: {p.done}/{p.total} · <Text color={colour('green')}>{p.passed} passed</Text> · <Text color={colour('red')}>{p.failed} failed</Text> ·{' '}
            <Text color={colour('yellow')}>{p.errors} errors</Text> {overlay.running ? '(running, ^C stops)' : '(↑↓ enter opens a failed sample, esc)'}
          </Text>
          {overlay.verdict && <Text wrap="truncate-end">{overlay.verdict}</Text>}
          {shown.items.map((row, i) => (
            <Text key={row.key} inverse={!overlay.running && shown.start + i === overlay.index} wrap="truncate-end">
              <Text color={colour(row.status === 'error' ? 'yellow' : 'red')}>{row.status}</Text> {row.sampleId}: {row.detail}
            </Text>
          ))}
        </Box>
      );
    }
    case 'rate':
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold wrap="truncate-end">
            rate the last answer (run {overlay.runId})
          </Text>
          {overlay.rating === null ? (
            <Text>g good · b bad · esc</Text>
          ) : (
            <>
              <Text>
                <Text color={colour(overlay.rating === 'good' ? 'green' : 'red')}>{overlay.rating}</Text> · note (optional): {overlay.note}
                <Text inverse> </Text>
              </Text>
              <Text dimColor>enter saves · esc cancels</Text>
            </>
          )}
        </Box>
      );
    case 'save': {
      const shown = windowAround(overlay.choices, overlay.index, list - 1);
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold wrap="truncate-end">
            save "{overlay.input}" as an eval sample, checking:
          </Text>
          {shown.items.map((c, i) => (
            <Text key={c.kind + c.label} inverse={shown.start + i === overlay.index} wrap="truncate-end">
              {c.chosen ? '[x]' : '[ ]'} {c.label}
            </Text>
          ))}
          <Text dimColor wrap="truncate-end">
            {overlay.saving ? 'checking it passes offline, then writing…' : '↑↓ space toggles · enter saves · esc'}
          </Text>
        </Box>
      );
    }
    case 'replay': {
      const events = replayLines(overlay.events, overlay.cursor, width - BOX_INSET, list - (overlay.note ? 1 : 0));
      return (
        <Box borderStyle="round" flexDirection="column" paddingX={1}>
          <Text bold wrap="truncate-end">
            run {overlay.run.runId} · event {overlay.cursor + 1}/{overlay.events.length} (← → step, esc)
          </Text>
          {overlay.note && (
            <Text color={colour('red')} wrap="truncate-end">
              {overlay.note}
            </Text>
          )}
          {events.flatMap((e) =>
            e.lines.map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: an event's wrapped lines are fixed for its width
              <Text key={`${e.seq}:${i}`} inverse={e.selected} wrap="truncate-end">
                {line}
              </Text>
            )),
          )}
        </Box>
      );
    }
  }
}
