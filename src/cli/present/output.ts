/**
 * stdout carries data (only data under --json); everything else goes to stderr. Every print goes
 * through the process-wide redactor here, so no command can print a secret by forgetting to.
 */

import { isClosedReader } from '../closed-reader.js';
import type { CliContext } from '../context.js';
import { streamSink } from '../output-file.js';
import { outputRedactor } from './redact.js';

export function printJson(ctx: CliContext, data: unknown): void {
  ctx.stdout.write(`${outputRedactor().json(data, 2)}\n`);
}

/**
 * printJson for data too big to hold as one string: every function in it (an eval report's `results`)
 * is called and its iterable streamed as a JSON array in place, item by item, with back-pressure.
 * The bytes are those printJson would print for the same data with the arrays filled in.
 */
export async function printJsonStreaming(ctx: CliContext, data: unknown): Promise<void> {
  const streams: (() => Iterable<unknown>)[] = [];
  const plain = JSON.parse(
    JSON.stringify(data, (_key, value) => {
      if (typeof value !== 'function') return value;
      streams.push(value as () => Iterable<unknown>);
      return `${STREAM_MARK}${streams.length - 1}`;
    }) ?? 'null',
  );
  const redactor = outputRedactor();
  const text = redactor.json(plain, 2);
  const marker = new RegExp(`"${STREAM_MARK}(\\d+)"`, 'g');
  await writeChunks(
    ctx.stdout,
    (function* () {
      let from = 0;
      for (const m of text.matchAll(marker)) {
        const at = m.index ?? 0;
        yield text.slice(from, at);
        const indent = (/^ */.exec(text.slice(text.lastIndexOf('\n', at) + 1, at))?.[0] ?? '').length;
        const pad = ' '.repeat(indent + 2);
        let first = true;
        for (const item of streams[Number(m[1])]?.() ?? []) {
          yield `${first ? '[\n' : ',\n'}${pad}${redactor.json(item, 2).replace(/\n/g, `\n${pad}`)}`;
          first = false;
        }
        yield first ? '[]' : `\n${' '.repeat(indent)}]`;
        from = at + m[0].length;
      }
      yield `${text.slice(from)}\n`;
    })(),
  );
}

/** The placeholder a streamed array holds in the JSON until it is written (a nonce: no data can fake it). */
const STREAM_MARK = `agentctl-stream-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}:`;

/**
 * Writes chunks in ~64 KB writes through a streamSink: 'drain' waited for. A reader that goes away (`| head`) ends
 * the writing, not the command (../closed-reader.ts): the rest is not generated, and the caller goes on to its exit code.
 */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  const sink = streamSink(stream);
  let buffer = '';
  try {
    for (const chunk of chunks) {
      buffer += chunk;
      if (buffer.length >= 65536) {
        await sink.write(buffer);
        buffer = '';
      }
    }
    if (buffer) await sink.write(buffer);
  } catch (error) {
    if (!isClosedReader(error)) throw error;
  }
}

export function printLine(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${outputRedactor().text(line)}\n`);
}

/** Raw text for stdout (exports, schemas), redacted like every other print. */
export function printText(ctx: CliContext, text: string): void {
  ctx.stdout.write(outputRedactor().text(text));
}

export function note(ctx: CliContext, line = ''): void {
  ctx.stderr.write(`${outputRedactor().text(line)}\n`);
}

/** A plain aligned table; no box drawing, so it pipes and greps well. */
export function table(rows: readonly (readonly string[])[], header: readonly string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  return all
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell)))).join('  '))
    .join('\n');
}

function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
