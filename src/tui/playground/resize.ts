/**
 * Clean redraws after the terminal gets narrower. The terminal (tmux, most emulators) rewraps the lines
 * already on screen, so the last frame now takes more rows than Ink drew; Ink erases only the rows it
 * drew, and the rest stay on screen as fragments of the wider layout. Before Ink handles the resize,
 * this erases the frame as the terminal now shows it, then leaves as many blank rows as Ink will erase,
 * so nothing above the frame (the finished turns, the scrollback) is touched.
 */
import { stripVTControlCharacters } from 'node:util';

/** The rows `frame` (as written, ending in a newline) takes once the terminal rewraps it to `width` columns. */
export function reflowedRows(frame: string, width: number): number {
  const lines = frame.split('\n');
  if (lines.at(-1) === '') lines.pop();
  // Code points, not display cells: the frame's own lines (borders, labels, ids) are narrow characters.
  return lines.reduce((n, line) => n + Math.max(1, Math.ceil([...line].length / Math.max(1, width))), 0);
}

/** Erases the current row and `rows` rows above it, leaving the cursor at the top, column 1. */
export function eraseRows(rows: number): string {
  return `${'\u001b[2K\u001b[1A'.repeat(rows)}\u001b[2K\u001b[G`;
}

/**
 * A stdout for Ink that remembers the last frame written, and a resize guard that runs before Ink's own
 * resize handler. Returns the stream to give Ink and a function that removes the guard.
 */
export function guardResizes(stdout: NodeJS.WriteStream): { stdout: NodeJS.WriteStream; dispose: () => void } {
  let frame = '';
  let width = stdout.columns || 80;
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    const visible = stripVTControlCharacters(text);
    // Ink writes each frame whole, in one call, after any new finished turns: the last write with text is the frame.
    if (visible.trim() !== '') frame = visible;
    return (stdout.write as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  const onResize = () => {
    const now = stdout.columns || 80;
    if (now < width && frame) {
      const drawn = frame.split('\n').length - (frame.endsWith('\n') ? 1 : 0);
      const shown = reflowedRows(frame, now);
      if (shown > drawn) stdout.write(eraseRows(shown) + '\n'.repeat(drawn));
    }
    width = now;
  };
  stdout.prependListener('resize', onResize);
  const proxy = new Proxy(stdout, {
    get(target, property) {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { stdout: proxy, dispose: () => stdout.off('resize', onResize) };
}
