import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { eraseRows, guardResizes, reflowedRows } from './resize.js';

describe('resize guard', () => {
  it('counts the rows a frame takes once rewrapped to a narrower width', () => {
    const frame = `${'─'.repeat(100)}\nshort\n${'x'.repeat(141)}\n`;
    expect(reflowedRows(frame, 100)).toBe(1 + 1 + 2);
    expect(reflowedRows(frame, 70)).toBe(2 + 1 + 3);
  });

  it('on a narrower terminal erases the rewrapped frame and leaves the rows Ink erases blank', () => {
    const out = Object.assign(new PassThrough(), { columns: 100, rows: 24, isTTY: true }) as unknown as NodeJS.WriteStream;
    const written: string[] = [];
    out.on('data', (chunk: Buffer) => written.push(chunk.toString()));
    const guarded = guardResizes(out);
    guarded.stdout.write(`\u001b[2K\u001b[1A${'─'.repeat(100)}\n\u001b[1mstatus\u001b[22m\n`);
    written.length = 0;
    (out as unknown as { columns: number }).columns = 50;
    out.emit('resize');
    // Drawn: 2 rows; shown now: 2 + 1. Erase those 3 and the cursor row, then step down the 2 rows Ink will erase.
    expect(written.join('')).toBe(`${eraseRows(3)}\n\n`);
    written.length = 0;
    (out as unknown as { columns: number }).columns = 80;
    out.emit('resize'); // wider: the terminal does not rewrap hard line breaks, Ink's own erase is right
    expect(written).toEqual([]);
    guarded.dispose();
  });
});
