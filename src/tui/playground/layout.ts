/**
 * Fitting the playground's frame to the terminal. Ink redraws a frame by erasing the lines it drew; a frame
 * as tall as the terminal makes it clear the whole screen and its scrollback instead, so every part below
 * is given a number of lines and draws no more.
 */
import type { PastEvent } from './types.js';

/** Hard-wraps `text` to lines of at most `width` characters, breaking at a space when one is near the edge. */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let rest = text;
  let first = true;
  while (rest.length > 0) {
    const room = first ? w : Math.max(1, w - indent.length);
    if (rest.length <= room) {
      lines.push(first ? rest : indent + rest);
      break;
    }
    let cut = rest.lastIndexOf(' ', room);
    if (cut < room / 2) cut = room; // no space near the edge (JSON, URLs): cut at the edge
    lines.push((first ? '' : indent) + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^ /, '');
    first = false;
  }
  return lines.length ? lines : [''];
}

/** The `size` items around `index` (the one the cursor is on stays in view). */
export function windowAround<T>(items: readonly T[], index: number, size: number): { start: number; items: readonly T[] } {
  const n = Math.max(1, size);
  const start = Math.max(0, Math.min(index - Math.floor(n / 2), items.length - n));
  return { start, items: items.slice(start, start + n) };
}

export interface EventLines {
  seq: number;
  selected: boolean;
  lines: string[];
}

/** One past-run event as readable text: its sequence number, type and payload. */
export function eventText(e: PastEvent): string {
  return `${String(e.seq).padStart(4)} ${e.type.padEnd(16)} ${JSON.stringify(e.payload)}`;
}

/**
 * The events to show in `height` lines of `width` columns, each wrapped (not cut at the box's edge): the
 * selected event whole, then a few before it for context, then what follows, then more before.
 */
export function replayLines(events: readonly PastEvent[], cursor: number, width: number, height: number): EventLines[] {
  const wrapped = (i: number): EventLines => {
    const e = events[i] as PastEvent;
    return { seq: e.seq, selected: i === cursor, lines: wrapText(eventText(e), width, '      ') };
  };
  if (!events[cursor]) return [];
  const selected = wrapped(cursor);
  selected.lines = selected.lines.slice(0, Math.max(1, height));
  const shown: EventLines[] = [selected];
  let used = selected.lines.length;
  let before = cursor - 1;
  let after = cursor + 1;
  const take = (i: number, where: 'before' | 'after'): boolean => {
    const next = wrapped(i);
    if (used + next.lines.length > height) return false;
    used += next.lines.length;
    if (where === 'before') shown.unshift(next);
    else shown.push(next);
    return true;
  };
  const context = Math.floor(height / 3);
  while (before >= 0 && used < context && take(before, 'before')) before--;
  while (after < events.length && take(after, 'after')) after++;
  while (before >= 0 && take(before, 'before')) before--;
  return shown;
}
